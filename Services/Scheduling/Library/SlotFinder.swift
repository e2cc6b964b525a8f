import ClinicService
import Foundation

/// Finds free appointment slots inside working time, around what is already booked.
public enum SlotFinder {
    /// The first `limit` starts (in time order) of a `duration`-long slot that lies inside one of `working`,
    /// overlaps none of `busy`, and starts at or after `earliest`. Starts lie on a grid of `step` from the
    /// start of each working span.
    public static func freeSlots(working: [TimeSpan], busy: [TimeSpan], duration: TimeInterval, step: TimeInterval,
                                 earliest: Date, limit: Int) -> [Date] {
        guard limit > 0, duration > 0, step > 0 else { return [] }
        let busy = busy.sorted { $0.start < $1.start }
        var slots: [Date] = []
        for span in working.sorted(by: { $0.start < $1.start }) {
            // First grid point at or after `earliest`.
            var offset = 0.0
            if earliest > span.start { offset = (earliest.timeIntervalSince(span.start) / step).rounded(.up) * step }
            var busyIndex = 0
            while true {
                let start = span.start.addingTimeInterval(offset)
                let end = start.addingTimeInterval(duration)
                if end > span.end { break }
                // Busy spans ending at or before this start can never block a later candidate.
                while busyIndex < busy.count, busy[busyIndex].end <= start { busyIndex += 1 }
                if busyIndex < busy.count, busy[busyIndex].start < end {
                    // Blocked: jump to the first grid point at or after the blocking span's end.
                    let blockEnd = busy[busyIndex].end
                    offset = (blockEnd.timeIntervalSince(span.start) / step).rounded(.up) * step
                    continue
                }
                slots.append(start)
                if slots.count == limit { return slots }
                offset += step
            }
        }
        return slots
    }
}

import ClinicService
import ClinicStore
import Foundation

/// Searches the book for free slots of one or more doctors: rosters, overrides and leave come from the worker's
/// `RosterSnapshot`, and active appointments are read window by window from the earliest start, stopping as soon
/// as enough slots are found.
struct SlotSearch {
    /// Furthest ahead a search looks.
    static let horizonDays = 60

    let clock: ClinicClock
    let roster: RosterCalculator

    /// One free slot of one doctor.
    struct Found: Equatable {
        var doctor: DoctorRecord
        var start: Date
    }

    /// The first `count` free slots (time order, then doctor name) of `doctors` at or after `earliest`.
    func find(doctors: [DoctorRecord], in rosters: RosterSnapshot, chair: UUID?, duration: TimeInterval, step: TimeInterval,
              earliest: Date, count: Int, on db: Connection) throws -> [Found] {
        guard !doctors.isEmpty, count > 0 else { return [] }
        let firstDate = clock.date(of: earliest)
        let lastDate = firstDate.adding(days: Self.horizonDays - 1)
        let weekly = rosters.weekly
        let plans = rosters.overrides
        let leave = rosters.leave
        let working = doctors.filter { weekly[$0.id] != nil }
        guard !working.isEmpty else { return [] }
        let workingIDs = working.map(\.id)

        var found: [Found] = []
        var windowStart = firstDate
        var windowDays = 1
        while windowStart <= lastDate {
            let windowEnd = min(windowStart.adding(days: windowDays - 1), lastDate)
            let window = TimeSpan(start: clock.startOfDay(windowStart), end: clock.startOfDay(windowEnd.adding(days: 1)))
            let busy = try AppointmentStore.busyByDoctor(workingIDs, in: window, on: db)
            let chairBusy = try chair.map { try AppointmentStore.busy(chair: $0, in: window, on: db) } ?? []
            for offset in 0...windowStart.days(until: windowEnd) {
                let date = windowStart.adding(days: offset)
                var daySlots: [Found] = []
                for doctor in working {
                    guard let week = weekly[doctor.id] else { continue }
                    let day = roster.day(date, weekly: week, override: plans[doctor.id]?[date], leave: leave[doctor.id] ?? [])
                    guard !day.working.isEmpty else { continue }
                    let starts = SlotFinder.freeSlots(working: day.working, busy: (busy[doctor.id] ?? []) + chairBusy,
                                                      duration: duration, step: step, earliest: earliest,
                                                      limit: count - found.count)
                    daySlots += starts.map { Found(doctor: doctor, start: $0) }
                }
                // A later day can never beat an earlier one, so a full day's merge decides.
                daySlots.sort { a, b in
                    if a.start != b.start { return a.start < b.start }
                    if a.doctor.name != b.doctor.name { return a.doctor.name < b.doctor.name }
                    return a.doctor.id.lowercasedText < b.doctor.id.lowercasedText
                }
                found += daySlots.prefix(count - found.count)
                if found.count >= count { return found }
            }
            windowStart = windowEnd.adding(days: 1)
            // One doctor's week is a few dozen rows; many doctors nearly always have room the next day.
            windowDays = working.count > 1 ? 1 : 7
        }
        return found
    }
}

/// A subscriber's catch-up logic as a pure value: per publisher, the last applied sequence and what to do
/// with each incoming event (apply it, skip a duplicate, or replay a gap first).
public struct SubscriberCatchUp: Sendable, Equatable {
    /// What to do with one event.
    public enum Decision: Sendable, Equatable {
        /// The next event in sequence: apply it, then call `applied`.
        case apply
        /// Seen already (seq ≤ last applied): ignore it.
        case skipDuplicate
        /// Events are missing: ask the publisher's Replay for those after `after`, and feed them through here.
        case replay(after: UInt64)
    }

    /// Last applied sequence per publisher.
    public private(set) var lastApplied: [String: UInt64]

    /// Starts from the sequences recorded in the subscriber's own schema.
    public init(lastApplied: [String: UInt64] = [:]) {
        self.lastApplied = lastApplied
    }

    /// At start: replay from the recorded sequence of each known publisher.
    public func startupReplays(publishers: [String]) -> [(publisher: String, after: UInt64)] {
        publishers.map { ($0, lastApplied[$0] ?? 0) }
    }

    /// Decides what to do with event `seq` from `publisher`.
    public func decide(publisher: String, seq: UInt64) -> Decision {
        let last = lastApplied[publisher] ?? 0
        if seq <= last { return .skipDuplicate }
        if seq == last + 1 { return .apply }
        return .replay(after: last)
    }

    /// Records that event `seq` of `publisher` was applied (call after its transaction commits).
    public mutating func applied(publisher: String, seq: UInt64) {
        lastApplied[publisher] = max(lastApplied[publisher] ?? 0, seq)
    }
}

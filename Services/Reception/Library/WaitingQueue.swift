import Foundation

/// Where a patient stands in a doctor's queue: a priority class, a time within it, and a tie-break that manual
/// moves use to slot a patient between two others. Smaller comes first.
public struct QueueKey: Sendable, Hashable, Comparable {
    /// Emergencies, then booked patients, then everyone else.
    public enum Priority: Int, Sendable, Comparable {
        case emergency = 0
        case booked = 1
        case byArrival = 2

        public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public var priority: Priority
    /// Arrival for emergencies and walk-ins, the appointment's start for booked patients.
    public var time: Date
    /// 0 unless the desk moved the patient.
    public var tieBreak: Double

    /// A key.
    public init(priority: Priority, time: Date, tieBreak: Double = 0) {
        self.priority = priority
        self.time = time
        self.tieBreak = tieBreak
    }

    public static func < (lhs: QueueKey, rhs: QueueKey) -> Bool {
        (lhs.priority, lhs.time, lhs.tieBreak) < (rhs.priority, rhs.time, rhs.tieBreak)
    }
}

/// A patient waiting for a doctor, as the queue order reads them.
public struct QueueCandidate: Sendable, Equatable {
    public var visitID: UUID
    public var emergency: Bool
    /// The appointment's start, for a booked patient.
    public var appointmentStart: Date?
    /// A booked patient who called ahead to say they would be late.
    public var calledAhead: Bool
    public var checkedInAt: Date
    /// Where the desk put the patient, if it moved them.
    public var moved: QueueKey?

    /// A candidate.
    public init(visitID: UUID, emergency: Bool = false, appointmentStart: Date? = nil, calledAhead: Bool = false,
                checkedInAt: Date, moved: QueueKey? = nil) {
        self.visitID = visitID
        self.emergency = emergency
        self.appointmentStart = appointmentStart
        self.calledAhead = calledAhead
        self.checkedInAt = checkedInAt
        self.moved = moved
    }

    /// When the patient's wait began: arrival, or the appointment's start for one who came early.
    public var waitingSince: Date { max(checkedInAt, appointmentStart ?? checkedInAt) }
}

/// The order of a doctor's waiting queue (DOMAIN.md §1), as pure functions: emergencies first (by arrival); then
/// booked patients in appointment order, a late one keeping their place only if they called ahead; then walk-ins
/// and late patients who did not call, by arrival. A patient the desk moved keeps the place it was given.
public enum WaitingQueue {
    /// The key the rules give `candidate`; a booked patient is late when they check in more than `lateGrace`
    /// after the appointment's start.
    public static func ruleKey(_ candidate: QueueCandidate, lateGrace: TimeInterval) -> QueueKey {
        if candidate.emergency { return QueueKey(priority: .emergency, time: candidate.checkedInAt) }
        if let start = candidate.appointmentStart, candidate.calledAhead || candidate.checkedInAt <= start + lateGrace {
            return QueueKey(priority: .booked, time: start)
        }
        return QueueKey(priority: .byArrival, time: candidate.checkedInAt)
    }

    /// The key in force: the desk's move, else the rules'.
    public static func key(_ candidate: QueueCandidate, lateGrace: TimeInterval) -> QueueKey {
        candidate.moved ?? ruleKey(candidate, lateGrace: lateGrace)
    }

    /// The candidates in queue order (ties, which only identical keys make, by visit id so the order is stable).
    public static func order(_ candidates: [QueueCandidate], lateGrace: TimeInterval) -> [QueueCandidate] {
        candidates.map { (key: key($0, lateGrace: lateGrace), candidate: $0) }
            .sorted { left, right in
                left.key != right.key ? left.key < right.key : left.candidate.visitID.uuidString < right.candidate.visitID.uuidString
            }
            .map(\.candidate)
    }

    /// Why a move cannot be made.
    public enum MoveRefusal: Error, Equatable {
        /// The anchor is the patient being moved.
        case ontoItself
        /// The anchor is not waiting in this queue.
        case anchorNotWaiting
    }

    /// The key that puts `visitID` just before `anchor` (nil: after the last patient) in `queue`, leaving everyone
    /// else's place alone: the anchor's priority and time, with a tie-break between the anchor's and the one
    /// before it. Later arrivals still fall in by the rules around it.
    public static func moveKey(_ visitID: UUID, before anchor: UUID?, in queue: [QueueCandidate],
                               lateGrace: TimeInterval) -> Result<QueueKey, MoveRefusal> {
        if anchor == visitID { return .failure(.ontoItself) }
        let rest = order(queue.filter { $0.visitID != visitID }, lateGrace: lateGrace)
        let others = rest.map { key($0, lateGrace: lateGrace) }
        let ids = rest.map(\.visitID)
        guard let anchor else {
            guard let last = others.last else {
                let own = queue.first { $0.visitID == visitID }
                return .success(own.map { key($0, lateGrace: lateGrace) } ?? QueueKey(priority: .byArrival, time: Date()))
            }
            return .success(QueueKey(priority: last.priority, time: last.time, tieBreak: last.tieBreak + 1))
        }
        guard let index = ids.firstIndex(of: anchor) else { return .failure(.anchorNotWaiting) }
        let target = others[index]
        var tieBreak = target.tieBreak - 1
        if index > 0 {
            let previous = others[index - 1]
            if previous.priority == target.priority && previous.time == target.time {
                tieBreak = (previous.tieBreak + target.tieBreak) / 2
            }
        }
        return .success(QueueKey(priority: target.priority, time: target.time, tieBreak: tieBreak))
    }
}

/// How long patients are expected to wait, and when the desk is prompted (DOMAIN.md §1).
public struct WaitEstimate: Sendable, Equatable {
    /// Minutes a treatment typically takes for this doctor.
    public var typicalMinutes: Int

    /// `medianMinutes` (the median of the doctor's last 20 treatment times, which the queue query computes) rounded
    /// to whole minutes, or `defaultMinutes` when the doctor has none.
    public init(medianMinutes: Double?, defaultMinutes: Int) {
        guard let median = medianMinutes, median.isFinite, median >= 0 else {
            typicalMinutes = defaultMinutes
            return
        }
        typicalMinutes = max(1, Int(median.rounded()))
    }

    /// Minutes until the patient at `position` (0: next) is called, given how long the current treatment has run
    /// (nil when nobody is in treatment).
    public func minutes(position: Int, currentTreatmentMinutes: Double?) -> Int {
        let remaining = currentTreatmentMinutes.map { max(0, Double(typicalMinutes) - $0) } ?? 0
        return Int(remaining.rounded(.up)) + position * typicalMinutes
    }
}

/// The thresholds at which the desk is prompted about a waiting patient.
public struct WaitPrompts: Sendable, Equatable {
    /// Offer oral-health education past this many minutes (default 15).
    public var educateAfterMinutes: Int
    /// Explain and offer a new time past this many minutes (default 20).
    public var offerNewTimeAfterMinutes: Int

    /// The thresholds; the defaults are DOMAIN.md's.
    public init(educateAfterMinutes: Int = 15, offerNewTimeAfterMinutes: Int = 20) {
        self.educateAfterMinutes = educateAfterMinutes
        self.offerNewTimeAfterMinutes = offerNewTimeAfterMinutes
    }

    /// What is due after `waitedMinutes`.
    public func prompt(waitedMinutes: Double) -> WaitPromptKind {
        if waitedMinutes >= Double(offerNewTimeAfterMinutes) { return .offerNewTime }
        if waitedMinutes >= Double(educateAfterMinutes) { return .educate }
        return .none
    }
}

/// A prompt to the desk about a waiting patient.
public enum WaitPromptKind: String, Sendable, CaseIterable {
    case none
    case educate
    case offerNewTime = "offer_new_time"
}

import ClinicBus
import Foundation

/// Where a visit stands. The raw value is what the database stores.
public enum VisitStatus: String, Sendable, CaseIterable {
    case checkedIn = "checked_in"
    case waiting
    case inTreatment = "in_treatment"
    case treatmentDone = "treatment_done"
    case paid
    case left
    case leftUnseen = "left_unseen"

    /// States in which the patient is still waiting to be seen (one such visit per patient at a time).
    public static let awaitingDoctor: [VisitStatus] = [.checkedIn, .waiting]

    /// States in which the visit holds the patient in the clinic before treatment ends.
    public static let beforeTreatmentDone: [VisitStatus] = [.checkedIn, .waiting, .inTreatment]

    /// How people say it, e.g. "in treatment".
    public var spoken: String { rawValue.replacingOccurrences(of: "_", with: " ") }

    /// Whether the visit is over.
    public var isEnded: Bool { self == .left || self == .leftUnseen }
}

/// Something that happens to a visit.
public enum VisitStep: Sendable, Hashable {
    /// A doctor is assigned (or re-assigned) while the patient has not been seen.
    case assignDoctor
    /// The doctor starts treating.
    case startTreatment
    /// The treatments are recorded.
    case completeTreatment
    /// Billing reports the bill paid.
    case pay
    /// The patient leaves; `unpaidAllowed` when nothing is charged or a reason for leaving unpaid was given.
    case leave(unpaidAllowed: Bool)
    /// The patient left without being seen.
    case leaveUnseen
}

/// Why a step is refused: the step and the state the visit is in.
public struct IllegalVisitStep: Error, Equatable, CustomStringConvertible {
    /// The refused step.
    public var step: VisitStep
    /// The visit's state when it was refused.
    public var status: VisitStatus
    /// What the desk can do instead, when there is something.
    public var hint: String

    /// "cannot start treatment: the visit is checked in (assign a doctor first)".
    public var description: String {
        "cannot \(VisitLifecycle.verb(step)): the visit is \(status.spoken)" + (hint.isEmpty ? "" : " (\(hint))")
    }
}

extension IllegalVisitStep: RPCErrorConvertible {
    /// FAILED_PRECONDITION naming the current state.
    public var rpcError: RPCError { .failedPrecondition(description) }
}

/// The visit's state machine (DOMAIN.md §1): checked in → waiting → in treatment → treatment done → paid → left,
/// or left unseen from checked in or waiting. Pure: a state and a step in, the next state or the refusal out.
public enum VisitLifecycle {
    /// The state `step` leads to from `status`, or why it may not happen.
    public static func next(after step: VisitStep, from status: VisitStatus) -> Result<VisitStatus, IllegalVisitStep> {
        switch (step, status) {
        case (.assignDoctor, .checkedIn), (.assignDoctor, .waiting): return .success(.waiting)
        case (.startTreatment, .waiting): return .success(.inTreatment)
        case (.completeTreatment, .inTreatment): return .success(.treatmentDone)
        case (.pay, .treatmentDone): return .success(.paid)
        case (.leave, .paid): return .success(.left)
        case (.leave(unpaidAllowed: true), .treatmentDone): return .success(.left)
        case (.leaveUnseen, .checkedIn), (.leaveUnseen, .waiting): return .success(.leftUnseen)
        default: return .failure(IllegalVisitStep(step: step, status: status, hint: hint(step, status)))
        }
    }

    /// What a step is called in a refusal.
    static func verb(_ step: VisitStep) -> String {
        switch step {
        case .assignDoctor: "assign a doctor"
        case .startTreatment: "start treatment"
        case .completeTreatment: "record the treatment done"
        case .pay: "mark the visit paid"
        case .leave: "mark the patient left"
        case .leaveUnseen: "mark the patient left unseen"
        }
    }

    private static func hint(_ step: VisitStep, _ status: VisitStatus) -> String {
        switch (step, status) {
        case (.startTreatment, .checkedIn): "assign a doctor first"
        case (.completeTreatment, .waiting): "start the treatment first"
        case (.leave(unpaidAllowed: false), .treatmentDone): "the bill is not paid: give a reason to leave unpaid"
        case (.leave, .checkedIn), (.leave, .waiting): "a patient not seen leaves unseen"
        default: ""
        }
    }
}

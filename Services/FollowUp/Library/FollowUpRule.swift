import ClinicValues
import Foundation

/// The unit of a rule's offset from the treatment time.
enum OffsetUnit: String, Sendable, CaseIterable {
    case hours, days, months
}

/// Who a rule sends its call to.
enum CallerKind: String, Sendable, CaseIterable {
    /// The treating doctor or their assistant (the first month's clinical calls).
    case treatingDoctor = "treating_doctor"
    /// The customer-service group (later calls, reminders, recall).
    case customerService = "customer_service"
}

/// The group a task belongs to, and the team list it shows in.
enum FollowUpTeam: String, Sendable, CaseIterable {
    case clinical
    case customerService = "customer_service"
    case consultants
}

/// One row of the rule table: a follow-up point for a treatment kind (or, with no kind, for every patient).
struct FollowUpRule: Sendable, Equatable {
    var id: UUID
    /// The stored treatment kind (`extraction`, …); nil: every patient (the checkup invitation).
    var treatmentKind: String?
    var offset: Int
    var unit: OffsetUnit
    /// The last offset the call may be made at, same unit; 0 (or not past `offset`): on the due day only.
    var windowEnd: Int
    var caller: CallerKind
    var purpose: String
    /// The call is dropped when the patient later has this kind of treatment (the implant's monthly calls end at the crown).
    var untilKind: String?
    /// The series' last clinical point: once done, the patient moves to long-term recall.
    var endsSeries: Bool
    var active: Bool
    var updatedBy: String
    var updatedAt: Date
}

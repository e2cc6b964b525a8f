import Foundation

/// A member of staff who could take a call, with how many open tasks they already have.
struct CallerCandidate: Sendable, Equatable {
    var id: UUID
    var openTasks: Int
}

/// Who a task goes to: a member (nil: the team's pool) and the team it shows in.
struct TaskAssignment: Sendable, Equatable {
    var assigneeID: UUID?
    var team: FollowUpTeam
}

/// Chooses who makes a call (DOMAIN.md §4): clinical calls to the treating doctor (or the clinical team's pool when
/// the doctor has no account); other calls to the patient's consultant when they have one, else to the member of
/// the customer-service group with the fewest open tasks (the group's pool when it has nobody).
enum CallerChoice {
    /// The assignment for a call of `caller` kind.
    static func choose(_ caller: CallerKind, doctorMember: UUID?, consultant: UUID?,
                       customerService: [CallerCandidate]) -> TaskAssignment {
        switch caller {
        case .treatingDoctor:
            return TaskAssignment(assigneeID: doctorMember, team: .clinical)
        case .customerService:
            if let consultant { return TaskAssignment(assigneeID: consultant, team: .consultants) }
            let least = customerService.min { ($0.openTasks, $0.id.uuidString) < ($1.openTasks, $1.id.uuidString) }
            return TaskAssignment(assigneeID: least?.id, team: .customerService)
        }
    }
}

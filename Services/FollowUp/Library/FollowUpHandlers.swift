import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation
import Logging

/// Follow-up's rpc handlers for one worker thread: protobuf in, domain rules, SQL, protobuf out.
final class FollowUpHandlers {
    let db: Connection
    let clock: ClinicClock
    let policy: FollowUpPolicy
    let logger: Logger

    /// Handlers bound to this thread's own database connection.
    init(db: Connection, clock: ClinicClock, policy: FollowUpPolicy, logger: Logger) {
        self.db = db
        self.clock = clock
        self.policy = policy
        self.logger = logger
    }

    var planning: TaskPlanning { TaskPlanning(clock: clock, policy: policy) }
    var complaintDesk: ComplaintDesk { ComplaintDesk(clock: clock, policy: policy) }

    /// Every rpc of follow-up's services, registered on one set of routes.
    func routes() -> WorkerRoutes {
        let routes = WorkerRoutes()
        typealias Tasks = Clinic_Followup_V1_FollowUps
        routes.register(Tasks.getWorkList) { try self.getWorkList($0, $1) }
        routes.register(Tasks.listFollowUps) { try self.listFollowUps($0, $1) }
        routes.register(Tasks.getFollowUp) { try self.getFollowUp($0, $1) }
        routes.register(Tasks.createFollowUp) { try self.createFollowUp($0, $1) }
        routes.register(Tasks.recordResult) { try self.recordResult($0, $1) }
        routes.register(Tasks.closeAsNotNeeded) { try self.closeAsNotNeeded($0, $1) }
        routes.register(Tasks.reassignFollowUps) { try self.reassignFollowUps($0, $1) }
        routes.register(Tasks.listUnattended) { try self.listUnattended($0, $1) }
        routes.register(Tasks.getCutoffCheck) { try self.getCutoffCheck($0, $1) }
        routes.register(Tasks.getOverdueCounts) { try self.getOverdueCounts($0, $1) }
        typealias Rules = Clinic_Followup_V1_FollowUpRules
        routes.register(Rules.listRules) { try self.listRules($0, $1) }
        routes.register(Rules.createRule) { try self.createRule($0, $1) }
        routes.register(Rules.updateRule) { try self.updateRule($0, $1) }
        routes.register(Rules.previewPlan) { try self.previewPlan($0, $1) }
        typealias Messages = Clinic_Followup_V1_Messages
        routes.register(Messages.listMessages) { try self.listMessages($0, $1) }
        routes.register(Messages.queueMessage) { try self.queueMessage($0, $1) }
        routes.register(Messages.claimMessages) { try self.claimMessages($0, $1) }
        routes.register(Messages.reportDelivery) { try self.reportDelivery($0, $1) }
        typealias Complaints = Clinic_Followup_V1_Complaints
        routes.register(Complaints.fileComplaint) { try self.fileComplaint($0, $1) }
        routes.register(Complaints.getComplaint) { try self.getComplaint($0, $1) }
        routes.register(Complaints.listComplaints) { try self.listComplaints($0, $1) }
        routes.register(Complaints.startInvestigation) { try self.startInvestigation($0, $1) }
        routes.register(Complaints.replyToComplaint) { try self.replyToComplaint($0, $1) }
        routes.register(Complaints.closeComplaint) { try self.closeComplaint($0, $1) }
        typealias Reports = Clinic_Followup_V1_FollowUpReports
        routes.register(Reports.getFollowUpReport) { try self.getFollowUpReport($0, $1) }
        routes.register(Reports.exportFollowUpReport) { try self.exportFollowUpReport($0, $1) }
        return routes
    }

    /// The caller's own member id, when a member of staff is calling.
    static func member(_ context: RequestContext) -> UUID? { UUIDText.parse(context.caller.staffID) }

    /// Whether the caller supervises (supervisor or director): may act on anyone's tasks.
    static func supervises(_ context: RequestContext) -> Bool {
        !context.caller.roles.isDisjoint(with: [.supervisor, .director])
    }

    /// Whether the caller may work `task`: its assignee; for a team's pool, a member of that team; or a supervisor.
    static func mayWork(_ task: TaskRecord, _ context: RequestContext) -> Bool {
        if supervises(context) { return true }
        if let assignee = task.assigneeID { return member(context) == assignee }
        let roles = context.caller.roles
        switch task.team {
        case .clinical: return !roles.isDisjoint(with: [.doctor, .nurse])
        case .customerService: return roles.contains(.customerService)
        case .consultants: return roles.contains(.consultant)
        }
    }

    /// Whether the caller may read `task`'s phone in full (DOMAIN.md §5): its assignee or one who may work it,
    /// and the roles that see phones (nurse, doctor, supervisor, director); a consultant or customer service only
    /// for their own tasks.
    static func mayReadPhone(_ task: TaskRecord, _ context: RequestContext) -> Bool {
        mayWork(task, context) || !context.caller.roles.isDisjoint(with: [.desk, .nurse, .doctor, .supervisor, .director])
    }
}

import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation

/// Tasks: work lists, one task, tasks made by hand, closing as not needed, reassignment, the check and overdue counts.
extension FollowUpHandlers {
    /// GetWorkList: a person's (default the caller's) or a team's open tasks due on the day or earlier, overdue first.
    func getWorkList(_ context: RequestContext, _ request: Clinic_Followup_V1_GetWorkListRequest) throws -> Clinic_Followup_V1_WorkList {
        let today = clock.today()
        let day = try CheckedDate.parse(request.date, field: "date", default: today)
        let page = try Page(request.page)
        var list = Clinic_Followup_V1_WorkList()
        list.date = day.description
        let tasks: [TaskRecord]
        let counts: (due: Int, overdue: Int)
        if request.team != .unspecified {
            guard request.assigneeID.isEmpty else {
                throw RPCError.invalidArgument(field: "team", "ask for a person's list (assigneeId) or a team's, not both")
            }
            guard let team = StoredNames.name(request.team, in: StoredNames.teams).flatMap(FollowUpTeam.init(rawValue:)) else {
                throw RPCError.invalidArgument(field: "team", "must be a team")
            }
            tasks = try TaskStore.workList(team: team, day: day, limit: page.size + 1, offset: page.offset, on: db)
            counts = try TaskStore.workListCounts(team: team, day: day, on: db)
            list.team = request.team
        } else {
            guard let assignee = try CheckedID.parseOptional(request.assigneeID, field: "assigneeId") ?? Self.member(context) else {
                throw RPCError.invalidArgument(field: "assigneeId", "is required when no member of staff is signed in")
            }
            if assignee != Self.member(context) && !Self.supervises(context) {
                throw RPCError(.permissionDenied, "only a supervisor or director may read another person's work list")
            }
            tasks = try TaskStore.workList(assignee: assignee, day: day, limit: page.size + 1, offset: page.offset, on: db)
            counts = try TaskStore.workListCounts(assignee: assignee, day: day, on: db)
            list.assigneeID = assignee.lowercasedText
        }
        list.tasks = tasks.prefix(page.size).map { FollowUpMessages.task($0, today: day) }
        list.dueToday = Int32(counts.due - counts.overdue)
        list.overdue = Int32(counts.overdue)
        if tasks.count > page.size { list.nextPageToken = page.next.token }
        return list
    }

    /// ListFollowUps: tasks by the filters given, phones masked.
    func listFollowUps(_ context: RequestContext, _ request: Clinic_Followup_V1_ListFollowUpsRequest) throws -> Clinic_Followup_V1_ListFollowUpsResponse {
        let page = try Page(request.page)
        let filter = TaskFilter(
            patientID: try CheckedID.parseOptional(request.patientID, field: "patientId"),
            assigneeID: try CheckedID.parseOptional(request.assigneeID, field: "assigneeId"),
            team: StoredNames.name(request.team, in: StoredNames.teams).flatMap(FollowUpTeam.init(rawValue:)),
            status: StoredNames.name(request.status, in: StoredNames.taskStatuses),
            kind: StoredNames.name(request.kind, in: StoredNames.taskKinds),
            from: try CheckedDate.parseOptional(request.fromDate, field: "fromDate"), to: try CheckedDate.parseOptional(request.toDate, field: "toDate"))
        if let from = filter.from, let to = filter.to, to < from {
            throw RPCError.invalidArgument(field: "toDate", "must not be before fromDate")
        }
        let tasks = try TaskStore.list(filter, limit: page.size + 1, offset: page.offset, on: db)
        let today = clock.today()
        var response = Clinic_Followup_V1_ListFollowUpsResponse()
        response.tasks = tasks.prefix(page.size).map { FollowUpMessages.task($0, today: today) }
        if tasks.count > page.size { response.nextPageToken = page.next.token }
        return response
    }

    /// GetFollowUp: one task with its attempts; the full phone only to those who may read it (the read is logged).
    func getFollowUp(_ context: RequestContext, _ request: Clinic_Followup_V1_GetFollowUpRequest) throws -> Clinic_Followup_V1_FollowUpTask {
        let id = try CheckedID.parse(request.taskID, field: "taskId")
        guard let task = try TaskStore.find(id, on: db) else { throw RPCError.notFound("follow-up \(id.lowercasedText) not found") }
        let full = Self.mayReadPhone(task, context) && !task.phone.isEmpty
        if full {
            logger.info("full phone shown", metadata: ["task_id": "\(id.lowercasedText)", "by": "\(context.actor)"])
        }
        return FollowUpMessages.task(task, today: clock.today(), fullPhone: full)
    }

    /// CreateFollowUp: a task made by hand, for a member (default the caller) or a team's pool.
    func createFollowUp(_ context: RequestContext, _ request: Clinic_Followup_V1_CreateFollowUpRequest) throws -> Clinic_Followup_V1_FollowUpTask {
        let patientID = try CheckedID.parse(request.patientID, field: "patientId")
        let due = try CheckedDate.parse(request.dueDate, field: "dueDate", default: clock.today())
        let purpose = request.purpose.trimmingWhitespace()
        let named = try CheckedID.parseOptional(request.assigneeID, field: "assigneeId")
        let requestedTeam = StoredNames.name(request.team, in: StoredNames.teams).flatMap(FollowUpTeam.init(rawValue:))
        let now = Date().inStoredPrecision
        return try IdempotentWrite.perform(context, on: db) { db in
            let known = try Directory.patient(patientID, on: db)
            let name = known?.name ?? request.patientName.trimmingWhitespace()
            guard !name.isEmpty else {
                throw RPCError.notFound("patient \(patientID.lowercasedText) is not known to follow-up: give their name (and phone)")
            }
            let phone = known.map(\.phone).flatMap { $0.isEmpty ? nil : $0 } ?? MobileNumber(request.phone)?.digits ?? ""
            let assignee = named ?? (requestedTeam == nil ? Self.member(context) : nil)
            var team = requestedTeam ?? .customerService
            if let id = assignee, let member = try Directory.member(id, on: db) {
                guard member.active else { throw RPCError.failedPrecondition("member \(id.lowercasedText) has left: choose an active member") }
                if requestedTeam == nil { team = Self.team(forRoles: member.roles) }
            } else if let id = named {
                throw RPCError.notFound("member \(id.lowercasedText) is not known to follow-up")
            } else if assignee != nil && requestedTeam == nil {
                team = Self.team(forRoles: context.caller.roles.map(\.name))
            }
            return try self.insertManual(patientID, name, phone, purpose, due, assignee, team, context, now, db)
        }
    }

    /// Stores a task made by hand and answers it.
    private func insertManual(_ patientID: UUID, _ name: String, _ phone: String, _ purpose: String, _ due: ClinicDate, _ assignee: UUID?,
                              _ team: FollowUpTeam, _ context: RequestContext, _ now: Date, _ db: Connection) throws -> Clinic_Followup_V1_FollowUpTask {
        let task = TaskRecord(id: UUID.random(), sourceKey: nil, kind: "manual", patientID: patientID, patientName: name, phone: phone,
                              purpose: purpose, dueDate: due, dueBy: due, assigneeID: assignee, team: team,
                              createdBy: context.actor, createdAt: now)
        try planning.add(task, on: db)
        guard let stored = try TaskStore.find(task.id, on: db) else { throw RPCError.internalError("the new task could not be read back") }
        return FollowUpMessages.task(stored, today: clock.today(), fullPhone: Self.mayReadPhone(stored, context))
    }

    /// The team a member's calls show in, from their roles.
    static func team(forRoles roles: [String]) -> FollowUpTeam {
        if roles.contains("customer_service") { return .customerService }
        if roles.contains("doctor") || roles.contains("nurse") { return .clinical }
        if roles.contains("consultant") { return .consultants }
        return .customerService
    }

    /// CloseAsNotNeeded: an open task closed with the reason.
    func closeAsNotNeeded(_ context: RequestContext, _ request: Clinic_Followup_V1_CloseAsNotNeededRequest) throws -> Clinic_Followup_V1_FollowUpTask {
        let id = try CheckedID.parse(request.taskID, field: "taskId")
        let reason = request.reason.trimmingWhitespace()
        guard !reason.isEmpty else { throw RPCError.invalidArgument(field: "reason", "closing a task as not needed says why") }
        let now = Date().inStoredPrecision
        return try IdempotentWrite.perform(context, on: db) { db in
            let task = try self.openTask(id, context, on: db)
            try TaskStore.close(task.id, as: "not_needed", reason: reason, by: context.actor, at: now, on: db)
            guard let closed = try TaskStore.find(id, on: db) else { throw RPCError.notFound("follow-up \(id.lowercasedText) not found") }
            logger.info("follow-up closed as not needed", metadata: ["task_id": "\(id.lowercasedText)", "by": "\(context.actor)"])
            return FollowUpMessages.task(closed, today: clock.today(), fullPhone: Self.mayReadPhone(closed, context))
        }
    }

    /// The open task `id`, locked, which the caller may work: NOT_FOUND, FAILED_PRECONDITION (not open) or
    /// PERMISSION_DENIED naming who holds it.
    func openTask(_ id: UUID, _ context: RequestContext, on db: Connection) throws -> TaskRecord {
        guard let task = try TaskStore.find(id, forUpdate: true, on: db) else { throw RPCError.notFound("follow-up \(id.lowercasedText) not found") }
        guard task.status == "open" else {
            throw RPCError.failedPrecondition("follow-up \(id.lowercasedText) is \(task.status.replacingOccurrences(of: "_", with: " ")): only an open task can be worked")
        }
        guard Self.mayWork(task, context) else {
            let holder = task.assigneeID.map { "\(task.assigneeName.isEmpty ? $0.lowercasedText : task.assigneeName)" } ?? "the \(task.team.rawValue) team"
            throw RPCError(.permissionDenied, "follow-up \(id.lowercasedText) is assigned to \(holder): only they or a supervisor may work it")
        }
        return task
    }

    /// ReassignFollowUps: a person's open tasks (all, or those listed) moved to an active member in one transaction.
    func reassignFollowUps(_ context: RequestContext, _ request: Clinic_Followup_V1_ReassignFollowUpsRequest) throws -> Clinic_Followup_V1_ReassignFollowUpsResponse {
        let from = try CheckedID.parse(request.fromMemberID, field: "fromMemberId")
        let to = try CheckedID.parse(request.toMemberID, field: "toMemberId")
        guard from != to else { throw RPCError.invalidArgument(field: "toMemberId", "must be another member than fromMemberId") }
        let ids = try request.taskIds.enumerated().map { try CheckedID.parse($0.element, field: "taskIds[\($0.offset)]") }
        let now = Date().inStoredPrecision
        return try IdempotentWrite.perform(context, on: db) { db in
            try self.requireActive(to, on: db)
            let moved = try TaskStore.reassign(from: from, to: to, ids: ids.isEmpty ? nil : ids, team: nil, reason: request.reason.trimmingWhitespace(),
                                               by: context.actor, at: now, on: db)
            if !ids.isEmpty && moved.count != Set(ids).count {
                let missing = Set(ids).subtracting(moved).map(\.lowercasedText).sorted()
                throw RPCError.failedPrecondition("not open tasks of member \(from.lowercasedText): \(missing.joined(separator: ", "))")
            }
            logger.info("follow-ups reassigned", metadata: ["from": "\(from.lowercasedText)", "to": "\(to.lowercasedText)",
                                                           "tasks": "\(moved.count)", "by": "\(context.actor)"])
            var response = Clinic_Followup_V1_ReassignFollowUpsResponse()
            response.reassigned = Int32(moved.count)
            response.taskIds = moved.map(\.lowercasedText)
            return response
        }
    }

    /// ListUnattended: open tasks waiting for a new assignee, per member, and the pools' count.
    func listUnattended(_ context: RequestContext, _ request: Clinic_Followup_V1_ListUnattendedRequest) throws -> Clinic_Followup_V1_ListUnattendedResponse {
        var response = Clinic_Followup_V1_ListUnattendedResponse()
        response.groups = try db.query("""
            SELECT t.assignee_id, COALESCE(m.name, '') AS name, NOT COALESCE(m.active, false) AS member_left, count(*)::int AS open_tasks,
                   min(t.due_date)::text AS earliest
            FROM tasks t LEFT JOIN staff_members m ON m.id = t.assignee_id
            WHERE t.status = 'open' AND t.unattended
            GROUP BY t.assignee_id, m.name, m.active ORDER BY min(t.due_date), t.assignee_id
            """).map { row in
            var group = Clinic_Followup_V1_UnattendedGroup()
            group.memberID = (try row.decode("assignee_id") as UUID?)?.lowercasedText ?? ""
            group.memberName = try row.decode("name")
            group.memberLeft = try row.decode("member_left")
            group.openTasks = try row.decode("open_tasks")
            group.earliestDueDate = try row.decode("earliest")
            return group
        }
        response.unassigned = try db.query("SELECT count(*)::int AS n FROM tasks WHERE status = 'open' AND assignee_id IS NULL")
            .first?.decode("n") ?? 0
        return response
    }

    /// GetCutoffCheck: the day's check as recorded, or (before it ran) what is open now.
    func getCutoffCheck(_ context: RequestContext, _ request: Clinic_Followup_V1_GetCutoffCheckRequest) throws -> Clinic_Followup_V1_CutoffCheck {
        let day = try CheckedDate.parse(request.date, field: "date", default: clock.today())
        if let recorded = try DailyCheck.recorded(day, on: db) { return recorded }
        var check = Clinic_Followup_V1_CutoffCheck()
        check.date = day.description
        check.checkTime = policy.cutoffTime.description
        check.people = try DailyCheck.openTasks(on: day, on: db)
        check.openTasks = check.people.reduce(0) { $0 + $1.openTasks }
        return check
    }

    /// GetOverdueCounts: open tasks past their last day, per person, on a day (default today).
    func getOverdueCounts(_ context: RequestContext, _ request: Clinic_Followup_V1_GetOverdueCountsRequest) throws -> Clinic_Followup_V1_OverdueCounts {
        let day = try CheckedDate.parse(request.date, field: "date", default: clock.today())
        var counts = Clinic_Followup_V1_OverdueCounts()
        counts.date = day.description
        counts.people = try FollowUpReportStore.overdue(before: day, on: db)
        counts.total = counts.people.reduce(0) { $0 + $1.overdue }
        return counts
    }
}

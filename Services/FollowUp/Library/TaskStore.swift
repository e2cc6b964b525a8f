import ClinicService
import ClinicStore
import ClinicValues
import Foundation

/// Follow-up's SQL for tasks, their attempts and their reassignments.
enum TaskStore {
    /// The columns every task read selects (with the assignee's name).
    static let columns = """
        t.id, t.source_key, t.kind, t.status, t.patient_id, t.patient_name, t.phone, t.purpose, t.due_date::text AS due_date,
        t.due_at, t.due_by::text AS due_by, t.assignee_id, COALESCE(m.name, '') AS assignee_name, t.team, t.unattended,
        t.treating_doctor_id, t.treating_doctor_name, t.visit_id, t.appointment_id, t.treatment_kind, t.teeth::text[] AS teeth,
        t.rule_id, t.until_kind, t.ends_series, t.attempts, t.rollovers, t.closed_reason, t.closed_by, t.closed_at,
        t.created_by, t.created_at
        """

    /// Stores a new task; false when a task with its source key exists already (an event handled twice).
    @discardableResult
    static func insert(_ task: TaskRecord, on db: Connection) throws -> Bool {
        try db.execute("""
            INSERT INTO tasks (id, source_key, kind, status, patient_id, patient_name, phone, purpose, due_date, due_at, due_by,
                               assignee_id, team, unattended, treating_doctor_id, treating_doctor_name, visit_id, appointment_id,
                               treatment_kind, teeth, rule_id, until_kind, ends_series, created_by, created_at)
            VALUES (\(task.id), \(task.sourceKey), \(task.kind), 'open', \(task.patientID), \(task.patientName), \(task.phone),
                    \(task.purpose), \(task.dueDate.description)::date, \(task.dueAt), \(task.dueBy.description)::date,
                    \(task.assigneeID), \(task.team.rawValue), \(task.unattended), \(task.treatingDoctorID),
                    \(task.treatingDoctorName), \(task.visitID), \(task.appointmentID), \(task.treatmentKind),
                    \(task.teeth.map(String.init))::integer[], \(task.ruleID), \(task.untilKind), \(task.endsSeries),
                    \(task.createdBy), \(task.createdAt))
            ON CONFLICT (source_key) DO NOTHING
            """) == 1
    }

    /// The task `id` with its attempts; `forUpdate` locks it for the rest of the transaction.
    static func find(_ id: UUID, forUpdate: Bool = false, on db: Connection) throws -> TaskRecord? {
        let rows = try db.query("""
            SELECT \(raw: columns) FROM tasks t LEFT JOIN staff_members m ON m.id = t.assignee_id
            WHERE t.id = \(id) \(raw: forUpdate ? "FOR UPDATE OF t" : "")
            """)
        guard var task = try rows.first.map(decode) else { return nil }
        task.history = try attempts(of: [id], on: db)[id] ?? []
        return task
    }

    /// The task a source key planned, if any.
    static func find(sourceKey: String, on db: Connection) throws -> TaskRecord? {
        try db.query("""
            SELECT \(raw: columns) FROM tasks t LEFT JOIN staff_members m ON m.id = t.assignee_id WHERE t.source_key = \(sourceKey)
            """).first.map(decode)
    }

    /// One person's open tasks due on `day` or earlier: overdue first, then by due day and time.
    static func workList(assignee: UUID, day: ClinicDate, limit: Int, offset: Int, on db: Connection) throws -> [TaskRecord] {
        try db.query("""
            SELECT \(raw: columns) FROM tasks t LEFT JOIN staff_members m ON m.id = t.assignee_id
            WHERE t.status = 'open' AND t.assignee_id = \(assignee) AND t.due_date <= \(day.description)::date
            ORDER BY t.due_by < \(day.description)::date DESC, t.due_date, t.due_at NULLS LAST, t.id
            LIMIT \(limit) OFFSET \(offset)
            """).map(decode)
    }

    /// One team's open tasks due on `day` or earlier, whoever holds them: overdue first.
    static func workList(team: FollowUpTeam, day: ClinicDate, limit: Int, offset: Int, on db: Connection) throws -> [TaskRecord] {
        try db.query("""
            SELECT \(raw: columns) FROM tasks t LEFT JOIN staff_members m ON m.id = t.assignee_id
            WHERE t.status = 'open' AND t.team = \(team.rawValue) AND t.due_date <= \(day.description)::date
            ORDER BY t.due_by < \(day.description)::date DESC, t.due_date, t.due_at NULLS LAST, t.id
            LIMIT \(limit) OFFSET \(offset)
            """).map(decode)
    }

    /// How many of a person's open tasks are due on `day` or earlier, and how many of them are overdue.
    static func workListCounts(assignee: UUID, day: ClinicDate, on db: Connection) throws -> (due: Int, overdue: Int) {
        let row = try db.query("""
            SELECT count(*)::int AS due, count(*) FILTER (WHERE due_by < \(day.description)::date)::int AS overdue FROM tasks
            WHERE status = 'open' AND assignee_id = \(assignee) AND due_date <= \(day.description)::date
            """).first
        return (try row?.decode("due") ?? 0, try row?.decode("overdue") ?? 0)
    }

    /// How many of a team's open tasks are due on `day` or earlier, and how many of them are overdue.
    static func workListCounts(team: FollowUpTeam, day: ClinicDate, on db: Connection) throws -> (due: Int, overdue: Int) {
        let row = try db.query("""
            SELECT count(*)::int AS due, count(*) FILTER (WHERE due_by < \(day.description)::date)::int AS overdue FROM tasks
            WHERE status = 'open' AND team = \(team.rawValue) AND due_date <= \(day.description)::date
            """).first
        return (try row?.decode("due") ?? 0, try row?.decode("overdue") ?? 0)
    }

    /// Tasks matching the filters, by due day.
    static func list(_ filter: TaskFilter, limit: Int, offset: Int, on db: Connection) throws -> [TaskRecord] {
        try db.query("""
            SELECT \(raw: columns) FROM tasks t LEFT JOIN staff_members m ON m.id = t.assignee_id
            WHERE (\(filter.patientID)::uuid IS NULL OR t.patient_id = \(filter.patientID))
              AND (\(filter.assigneeID)::uuid IS NULL OR t.assignee_id = \(filter.assigneeID))
              AND (\(filter.team?.rawValue)::text IS NULL OR t.team = \(filter.team?.rawValue))
              AND (\(filter.status)::text IS NULL OR t.status = \(filter.status))
              AND (\(filter.kind)::text IS NULL OR t.kind = \(filter.kind))
              AND (\(filter.from?.description)::date IS NULL OR t.due_date >= \(filter.from?.description)::date)
              AND (\(filter.to?.description)::date IS NULL OR t.due_date <= \(filter.to?.description)::date)
            ORDER BY t.due_date, t.due_at NULLS LAST, t.id LIMIT \(limit) OFFSET \(offset)
            """).map(decode)
    }

    /// The attempts of each task, oldest first.
    static func attempts(of ids: [UUID], on db: Connection) throws -> [UUID: [AttemptRecord]] {
        guard !ids.isEmpty else { return [:] }
        var found: [UUID: [AttemptRecord]] = [:]
        for row in try db.query("""
            SELECT task_id, reached, channel, conditions, advice, satisfaction, suggestions, notes, complaint_id,
                   doctor_call_back_task_id, discomfort_task_id, appointment_id, booking_later, moved_to_recall, recorded_by, recorded_at
            FROM task_attempts WHERE task_id = ANY(\(ids)) ORDER BY id
            """) {
            found[try row.decode("task_id"), default: []].append(AttemptRecord(
                reached: try row.decode("reached"), channel: try row.decode("channel"), conditions: try row.decode("conditions"),
                advice: try row.decode("advice"), satisfaction: try row.decode("satisfaction"), suggestions: try row.decode("suggestions"),
                notes: try row.decode("notes"), complaintID: try row.decode("complaint_id"),
                doctorCallBackTaskID: try row.decode("doctor_call_back_task_id"), discomfortTaskID: try row.decode("discomfort_task_id"),
                appointmentID: try row.decode("appointment_id"), bookingLater: try row.decode("booking_later"),
                movedToRecall: try row.decode("moved_to_recall"), recordedBy: try row.decode("recorded_by"),
                recordedAt: try row.decode("recorded_at")))
        }
        return found
    }

    /// Records an attempt; a reached one closes the task as done, one not reached counts against it.
    static func record(_ attempt: AttemptRecord, on taskID: UUID, on db: Connection) throws {
        try db.execute("""
            WITH attempt AS (
                INSERT INTO task_attempts (task_id, reached, channel, conditions, advice, satisfaction, suggestions, notes, complaint_id,
                                           doctor_call_back_task_id, discomfort_task_id, appointment_id, booking_later, moved_to_recall,
                                           recorded_by, recorded_at)
                VALUES (\(taskID), \(attempt.reached), \(attempt.channel), \(attempt.conditions), \(attempt.advice), \(attempt.satisfaction),
                        \(attempt.suggestions), \(attempt.notes), \(attempt.complaintID), \(attempt.doctorCallBackTaskID),
                        \(attempt.discomfortTaskID), \(attempt.appointmentID), \(attempt.bookingLater), \(attempt.movedToRecall),
                        \(attempt.recordedBy), \(attempt.recordedAt)))
            UPDATE tasks SET
                status = CASE WHEN \(attempt.reached) THEN 'done' ELSE status END,
                closed_at = CASE WHEN \(attempt.reached) THEN \(attempt.recordedAt) ELSE closed_at END,
                closed_by = CASE WHEN \(attempt.reached) THEN \(attempt.recordedBy) ELSE closed_by END,
                attempts = attempts + CASE WHEN \(attempt.reached) THEN 0 ELSE 1 END
            WHERE id = \(taskID)
            """)
    }

    /// Closes an open task with a status other than done (not needed, cancelled) and the reason; false when it was not open.
    @discardableResult
    static func close(_ id: UUID, as status: String, reason: String, by actor: String, at: Date, on db: Connection) throws -> Bool {
        try db.execute("""
            UPDATE tasks SET status = \(status), closed_reason = \(reason), closed_by = \(actor), closed_at = \(at)
            WHERE id = \(id) AND status = 'open'
            """) == 1
    }

    /// Cancels the open tasks of `kind` planned for an appointment (its reminder when it is moved or cancelled).
    @discardableResult
    static func cancel(kind: String, appointmentID: UUID, reason: String, by actor: String, at: Date, on db: Connection) throws -> Int {
        try db.execute("""
            UPDATE tasks SET status = 'cancelled', closed_reason = \(reason), closed_by = \(actor), closed_at = \(at)
            WHERE appointment_id = \(appointmentID) AND kind = \(kind) AND status = 'open'
            """)
    }

    /// Cancels a patient's open tasks of `kind` (booking chases once they book; an earlier checkup invitation).
    @discardableResult
    static func cancel(kind: String, patientID: UUID, except keep: UUID? = nil, reason: String, by actor: String, at: Date,
                       on db: Connection) throws -> Int {
        try db.execute("""
            UPDATE tasks SET status = 'cancelled', closed_reason = \(reason), closed_by = \(actor), closed_at = \(at)
            WHERE patient_id = \(patientID) AND kind = \(kind) AND status = 'open' AND id IS DISTINCT FROM \(keep)
            """)
    }

    /// Cancels a patient's open calls that a treatment of `kind` ends (the implant's monthly calls once the crown is on).
    @discardableResult
    static func cancel(endedBy kind: String, patientID: UUID, reason: String, by actor: String, at: Date, on db: Connection) throws -> Int {
        try db.execute("""
            UPDATE tasks SET status = 'cancelled', closed_reason = \(reason), closed_by = \(actor), closed_at = \(at)
            WHERE patient_id = \(patientID) AND until_kind = \(kind) AND status = 'open'
            """)
    }

    /// Open tasks per active member holding `role`, for choosing who takes the next call.
    static func candidates(role: String, on db: Connection) throws -> [CallerCandidate] {
        try db.query("""
            SELECT m.id, (SELECT count(*) FROM tasks t WHERE t.assignee_id = m.id AND t.status = 'open')::int AS open_tasks
            FROM staff_members m WHERE m.active AND \(role) = ANY(m.roles)
            """).map { CallerCandidate(id: try $0.decode("id"), openTasks: try $0.decode("open_tasks")) }
    }

    /// Moves open tasks (all of `from`'s, or those of `ids`) to `to`, recording each move; the ids moved.
    static func reassign(from: UUID, to: UUID, ids: [UUID]?, team: FollowUpTeam?, reason: String, by actor: String, at: Date,
                         on db: Connection) throws -> [UUID] {
        try db.query("""
            WITH moved AS (
                UPDATE tasks SET assignee_id = \(to), unattended = false, team = COALESCE(\(team?.rawValue), team)
                WHERE assignee_id = \(from) AND status = 'open' AND (\(ids == nil) OR id = ANY(\(ids ?? [])))
                RETURNING id),
            logged AS (
                INSERT INTO task_reassignments (task_id, from_id, to_id, reason, by, at)
                SELECT id, \(from), \(to), \(reason), \(actor), \(at) FROM moved)
            SELECT id FROM moved ORDER BY id
            """).map { try $0.decode("id") }
    }

    /// Marks a member's open tasks as waiting for a new assignee; how many.
    static func markUnattended(member: UUID, on db: Connection) throws -> Int {
        try db.execute("UPDATE tasks SET unattended = true WHERE assignee_id = \(member) AND status = 'open' AND NOT unattended")
    }

    /// Open tasks per person (a team's pool as one line, its assignee nil), most first: those due on `day` or earlier,
    /// or, with `pastDueBy`, those whose last day was before `day`.
    static func openPerPerson(on day: ClinicDate, pastDueBy: Bool, on db: Connection) throws
        -> [(assignee: UUID?, name: String, team: FollowUpTeam, count: Int)] {
        try db.query("""
            SELECT t.assignee_id, COALESCE(m.name, '') AS name, t.team, count(*)::int AS n
            FROM tasks t LEFT JOIN staff_members m ON m.id = t.assignee_id
            WHERE t.status = 'open' AND CASE WHEN \(pastDueBy) THEN t.due_by < \(day.description)::date
                                             ELSE t.due_date <= \(day.description)::date END
            GROUP BY t.assignee_id, m.name, t.team ORDER BY count(*) DESC, m.name, t.team
            """).map { row in
            (try row.decode("assignee_id"), try row.decode("name"), FollowUpTeam(rawValue: try row.decode("team")) ?? .customerService,
             try row.decode("n"))
        }
    }

    /// Decodes a row of `columns`.
    static func decode(_ row: Row) throws -> TaskRecord {
        let teeth: [String] = try row.decode("teeth")
        return TaskRecord(
            id: try row.decode("id"), sourceKey: try row.decode("source_key"), kind: try row.decode("kind"),
            status: try row.decode("status"), patientID: try row.decode("patient_id"), patientName: try row.decode("patient_name"),
            phone: try row.decode("phone"), purpose: try row.decode("purpose"),
            dueDate: try StoredDate.decode(row, "due_date"), dueAt: try row.decode("due_at"), dueBy: try StoredDate.decode(row, "due_by"),
            assigneeID: try row.decode("assignee_id"), assigneeName: try row.decode("assignee_name"),
            team: FollowUpTeam(rawValue: try row.decode("team")) ?? .customerService, unattended: try row.decode("unattended"),
            treatingDoctorID: try row.decode("treating_doctor_id"), treatingDoctorName: try row.decode("treating_doctor_name"),
            visitID: try row.decode("visit_id"), appointmentID: try row.decode("appointment_id"),
            treatmentKind: try row.decode("treatment_kind"), teeth: teeth.compactMap { Int($0) }, ruleID: try row.decode("rule_id"),
            untilKind: try row.decode("until_kind"), endsSeries: try row.decode("ends_series"), attempts: try row.decode("attempts"),
            rollovers: try row.decode("rollovers"), closedReason: try row.decode("closed_reason"), closedBy: try row.decode("closed_by"),
            closedAt: try row.decode("closed_at"), createdBy: try row.decode("created_by"), createdAt: try row.decode("created_at"))
    }
}

/// What a task listing may be narrowed to.
struct TaskFilter: Sendable {
    var patientID: UUID?
    var assigneeID: UUID?
    var team: FollowUpTeam?
    var status: String?
    var kind: String?
    var from: ClinicDate?
    var to: ClinicDate?
}

/// Clinic dates read back from `date::text` columns.
enum StoredDate {
    /// The date in column `name`; a row with a date PostgreSQL printed oddly is a store error, not a crash.
    static func decode(_ row: Row, _ name: String) throws -> ClinicDate {
        let text: String = try row.decode(name)
        guard let date = ClinicDate(iso: text) else { throw StoreError(kind: .decoding, message: "column \(name) is not a date") }
        return date
    }

    /// The date in a nullable column.
    static func decodeOptional(_ row: Row, _ name: String) throws -> ClinicDate? {
        let text: String? = try row.decode(name)
        return text.flatMap(ClinicDate.init(iso:))
    }
}

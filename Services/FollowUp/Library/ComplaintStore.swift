import ClinicStore
import ClinicValues
import Foundation

/// Follow-up's SQL for complaints and their steps.
enum ComplaintStore {
    private static let columns = """
        c.id, c.source_key, c.patient_id, c.patient_name, c.phone, c.channel, c.category, c.description, c.severity, c.owner_id,
        COALESCE(m.name, '') AS owner_name, c.status, c.reply_deadline::text AS reply_deadline, c.reply, c.resolution,
        c.corrective_action, c.resolution_satisfaction, c.escalated_at, c.escalation_reason, c.task_id, c.visit_id, c.filed_by, c.filed_at
        """

    /// Files a complaint with its first step; false when its source key filed one already.
    @discardableResult
    static func insert(_ complaint: ComplaintRecord, on db: Connection) throws -> Bool {
        let inserted = try db.execute("""
            INSERT INTO complaints (id, source_key, patient_id, patient_name, phone, channel, category, description, severity, owner_id,
                                    status, reply_deadline, escalated_at, escalation_reason, task_id, visit_id, filed_by, filed_at)
            VALUES (\(complaint.id), \(complaint.sourceKey), \(complaint.patientID), \(complaint.patientName), \(complaint.phone),
                    \(complaint.channel), \(complaint.category), \(complaint.description), \(complaint.severity), \(complaint.ownerID),
                    'open', \(complaint.replyDeadline.description)::date, \(complaint.escalatedAt), \(complaint.escalationReason),
                    \(complaint.taskID), \(complaint.visitID), \(complaint.filedBy), \(complaint.filedAt))
            ON CONFLICT (source_key) DO NOTHING
            """) == 1
        if inserted { try addStep(complaint.id, ComplaintStepRecord(status: "open", note: "", by: complaint.filedBy, at: complaint.filedAt), on: db) }
        return inserted
    }

    /// Appends a step.
    static func addStep(_ id: UUID, _ step: ComplaintStepRecord, on db: Connection) throws {
        try db.execute("""
            INSERT INTO complaint_steps (complaint_id, status, note, by, at) VALUES (\(id), \(step.status), \(step.note), \(step.by), \(step.at))
            """)
    }

    /// The complaint `id` with its steps; `forUpdate` locks it.
    static func find(_ id: UUID, forUpdate: Bool = false, on db: Connection) throws -> ComplaintRecord? {
        guard var complaint = try db.query("""
            SELECT \(raw: columns) FROM complaints c LEFT JOIN staff_members m ON m.id = c.owner_id
            WHERE c.id = \(id) \(raw: forUpdate ? "FOR UPDATE OF c" : "")
            """).first.map(decode) else { return nil }
        complaint.steps = try db.query("""
            SELECT status, note, by, at FROM complaint_steps WHERE complaint_id = \(id) ORDER BY id
            """).map { ComplaintStepRecord(status: try $0.decode("status"), note: try $0.decode("note"), by: try $0.decode("by"),
                                           at: try $0.decode("at")) }
        return complaint
    }

    /// Complaints by status, category or escalation, oldest first.
    static func list(status: String?, category: String?, escalatedOnly: Bool, limit: Int, offset: Int,
                     on db: Connection) throws -> [ComplaintRecord] {
        try db.query("""
            SELECT \(raw: columns) FROM complaints c LEFT JOIN staff_members m ON m.id = c.owner_id
            WHERE (\(status)::text IS NULL OR c.status = \(status)) AND (\(category)::text IS NULL OR c.category = \(category))
              AND (NOT \(escalatedOnly) OR c.escalated_at IS NOT NULL)
            ORDER BY c.filed_at, c.id LIMIT \(limit) OFFSET \(offset)
            """).map(decode)
    }

    /// Moves a complaint to `status`, with the fields that step sets, and records the step.
    static func advance(_ id: UUID, to status: String, owner: UUID? = nil, reply: String? = nil, resolution: String? = nil,
                        correctiveAction: String? = nil, satisfaction: String? = nil, step: ComplaintStepRecord, on db: Connection) throws {
        try db.execute("""
            UPDATE complaints SET status = \(status), owner_id = COALESCE(\(owner), owner_id), reply = COALESCE(\(reply), reply),
                   resolution = COALESCE(\(resolution), resolution), corrective_action = COALESCE(\(correctiveAction), corrective_action),
                   resolution_satisfaction = COALESCE(\(satisfaction), resolution_satisfaction)
            WHERE id = \(id)
            """)
        try addStep(id, step, on: db)
    }

    /// Escalates a complaint not escalated yet; false when it was.
    @discardableResult
    static func escalate(_ id: UUID, reason: String, at: Date, on db: Connection) throws -> Bool {
        try db.execute("""
            UPDATE complaints SET escalated_at = \(at), escalation_reason = \(reason) WHERE id = \(id) AND escalated_at IS NULL
            """) == 1
    }

    /// Complaints past their reply deadline on `day` with no reply and not yet escalated.
    static func overdue(on day: ClinicDate, limit: Int, on db: Connection) throws -> [ComplaintRecord] {
        try db.query("""
            SELECT \(raw: columns) FROM complaints c LEFT JOIN staff_members m ON m.id = c.owner_id
            WHERE c.escalated_at IS NULL AND c.status IN ('open', 'investigating') AND c.reply_deadline < \(day.description)::date
            ORDER BY c.reply_deadline, c.id LIMIT \(limit) FOR UPDATE OF c SKIP LOCKED
            """).map(decode)
    }

    /// Decodes a row of `columns`.
    private static func decode(_ row: Row) throws -> ComplaintRecord {
        ComplaintRecord(
            id: try row.decode("id"), sourceKey: try row.decode("source_key"), patientID: try row.decode("patient_id"),
            patientName: try row.decode("patient_name"), phone: try row.decode("phone"), channel: try row.decode("channel"),
            category: try row.decode("category"), description: try row.decode("description"), severity: try row.decode("severity"),
            ownerID: try row.decode("owner_id"), ownerName: try row.decode("owner_name"), status: try row.decode("status"),
            replyDeadline: try StoredDate.decode(row, "reply_deadline"), reply: try row.decode("reply"),
            resolution: try row.decode("resolution"), correctiveAction: try row.decode("corrective_action"),
            resolutionSatisfaction: try row.decode("resolution_satisfaction"), escalatedAt: try row.decode("escalated_at"),
            escalationReason: try row.decode("escalation_reason"), taskID: try row.decode("task_id"), visitID: try row.decode("visit_id"),
            filedBy: try row.decode("filed_by"), filedAt: try row.decode("filed_at"))
    }
}

import ClinicStore
import ClinicValues
import Foundation

/// A message to a patient as stored.
struct MessageRecord: Sendable, Equatable {
    var id: UUID
    var sourceKey: String?
    var patientID: UUID?
    var patientName: String
    /// The full number or WeChat id; only the claiming sender gets it unmasked.
    var recipient: String
    var channel: String
    var template: String
    var values: [String: String]
    var text: String
    var status = "queued"
    var sendAfter: Date
    var claimedBy = ""
    var claimedAt: Date?
    var claimExpiresAt: Date?
    var claims = 0
    var failureReason = ""
    var providerReference = ""
    var appointmentID: UUID?
    var taskID: UUID?
    var queuedBy: String
    var queuedAt: Date
    var reportedAt: Date?
}

/// Follow-up's SQL for patient messages and their claims by senders.
enum MessageStore {
    /// The columns every read selects, each qualified by `table` (an UPDATE … FROM needs them unambiguous).
    private static func columns(_ table: String = "messages") -> String {
        ["id", "source_key", "patient_id", "patient_name", "recipient", "channel", "template", "text", "status", "send_after",
         "claimed_by", "claimed_at", "claim_expires_at", "claims", "failure_reason", "provider_reference", "appointment_id",
         "task_id", "queued_by", "queued_at", "reported_at"].map { "\(table).\($0)" }.joined(separator: ", ")
            + ", \(table).\"values\"::text AS values_json"
    }

    /// Queues a message; false when its source key queued one already.
    @discardableResult
    static func insert(_ message: MessageRecord, on db: Connection) throws -> Bool {
        let values = String(decoding: try JSONSerialization.data(withJSONObject: message.values, options: [.sortedKeys]), as: UTF8.self)
        return try db.execute("""
            INSERT INTO messages (id, source_key, patient_id, patient_name, recipient, channel, template, "values", text, status,
                                  send_after, appointment_id, task_id, queued_by, queued_at)
            VALUES (\(message.id), \(message.sourceKey), \(message.patientID), \(message.patientName), \(message.recipient),
                    \(message.channel), \(message.template), \(values)::jsonb, \(message.text), 'queued', \(message.sendAfter),
                    \(message.appointmentID), \(message.taskID), \(message.queuedBy), \(message.queuedAt))
            ON CONFLICT (source_key) DO NOTHING
            """) == 1
    }

    /// The message `id`.
    static func find(_ id: UUID, forUpdate: Bool = false, on db: Connection) throws -> MessageRecord? {
        try db.query("SELECT \(raw: columns()) FROM messages WHERE id = \(id) \(raw: forUpdate ? "FOR UPDATE" : "")").first.map(decode)
    }

    /// Messages, optionally of one status or patient, newest first.
    static func list(status: String?, patientID: UUID?, limit: Int, offset: Int, on db: Connection) throws -> [MessageRecord] {
        try db.query("""
            SELECT \(raw: columns()) FROM messages
            WHERE (\(status)::text IS NULL OR status = \(status)) AND (\(patientID)::uuid IS NULL OR patient_id = \(patientID))
            ORDER BY queued_at DESC, id LIMIT \(limit) OFFSET \(offset)
            """).map(decode)
    }

    /// Claims up to `limit` messages due at `now` for `sender`: queued ones, or claimed ones whose lease ran out. Rows
    /// another sender is claiming at the same moment are skipped, so each message goes to exactly one sender.
    static func claim(sender: String, peer: String, channel: String?, limit: Int, lease: Int, now: Date,
                      on db: Connection) throws -> [MessageRecord] {
        let expires = now.addingTimeInterval(TimeInterval(lease))
        return try db.query("""
            WITH picked AS (
                SELECT id FROM messages
                WHERE (status = 'queued' OR (status = 'claimed' AND claim_expires_at < \(now)))
                  AND send_after <= \(now) AND recipient <> '' AND (\(channel)::text IS NULL OR channel = \(channel))
                ORDER BY send_after, id LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            UPDATE messages m SET status = 'claimed', claimed_by = \(sender), claimed_peer = \(peer), claimed_at = \(now),
                   claim_expires_at = \(expires), claims = m.claims + 1
            FROM picked WHERE m.id = picked.id
            RETURNING \(raw: columns("m"))
            """).map(decode).sorted { ($0.sendAfter, $0.id.uuidString) < ($1.sendAfter, $1.id.uuidString) }
    }

    /// Records a sender's report on a message.
    static func report(_ id: UUID, status: String, reason: String, reference: String, at: Date, on db: Connection) throws {
        try db.execute("""
            UPDATE messages SET status = \(status), failure_reason = \(reason),
                   provider_reference = CASE WHEN \(reference) <> '' THEN \(reference) ELSE provider_reference END, reported_at = \(at)
            WHERE id = \(id)
            """)
    }

    /// Cancels the messages of an appointment not yet sent (it was moved or cancelled); how many.
    @discardableResult
    static func cancel(appointmentID: UUID, template: String, on db: Connection) throws -> Int {
        try db.execute("""
            UPDATE messages SET status = 'cancelled'
            WHERE appointment_id = \(appointmentID) AND template = \(template) AND status IN ('queued', 'claimed')
            """)
    }

    /// Decodes a row of `columns`.
    private static func decode(_ row: Row) throws -> MessageRecord {
        let json: String = try row.decode("values_json")
        let values = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: String] ?? [:]
        return MessageRecord(
            id: try row.decode("id"), sourceKey: try row.decode("source_key"), patientID: try row.decode("patient_id"),
            patientName: try row.decode("patient_name"), recipient: try row.decode("recipient"), channel: try row.decode("channel"),
            template: try row.decode("template"), values: values, text: try row.decode("text"), status: try row.decode("status"),
            sendAfter: try row.decode("send_after"), claimedBy: try row.decode("claimed_by"), claimedAt: try row.decode("claimed_at"),
            claimExpiresAt: try row.decode("claim_expires_at"), claims: try row.decode("claims"),
            failureReason: try row.decode("failure_reason"), providerReference: try row.decode("provider_reference"),
            appointmentID: try row.decode("appointment_id"), taskID: try row.decode("task_id"), queuedBy: try row.decode("queued_by"),
            queuedAt: try row.decode("queued_at"), reportedAt: try row.decode("reported_at"))
    }
}

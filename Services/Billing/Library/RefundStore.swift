import ClinicService
import ClinicStore
import ClinicValues
import Foundation

/// Billing's SQL for refunds and their steps. Rows are only inserted; the status is derived from the steps.
enum RefundStore {
    /// Stores the doctor's request.
    static func insert(_ refund: RefundRecord, on db: Connection) throws {
        try db.execute("""
            INSERT INTO refunds (id, bill_id, amount_fen, reason, first_visit_date, bill_total_fen, bill_paid_fen, requested_at, requested_by)
            VALUES (\(refund.id), \(refund.billID), \(refund.amountFen), \(refund.reason), \(refund.firstVisitDate.description)::date,
                    \(refund.billTotalFen), \(refund.billPaidFen), \(refund.requestedAt), \(refund.requestedBy))
            """)
    }

    /// Appends a step; false when the refund already has it (or, for a decision, the other decision).
    static func append(_ step: RefundStepRecord, to refundID: UUID, on db: Connection) throws -> Bool {
        try db.execute("""
            INSERT INTO refund_steps (refund_id, step, note, method, reference, at, by)
            VALUES (\(refundID), \(step.step.rawValue), \(step.note), \(step.method?.rawValue), \(step.reference), \(step.at), \(step.by))
            ON CONFLICT DO NOTHING
            """) == 1
    }

    /// The refunds of a bill requested and not rejected, in fen: what already counts against its paid amount.
    static func committedFen(billID: UUID, on db: Connection) throws -> Int64 {
        try db.query("""
            SELECT COALESCE(sum(r.amount_fen), 0)::bigint AS fen FROM refunds r
            WHERE r.bill_id = \(billID)
              AND NOT EXISTS (SELECT 1 FROM refund_steps s WHERE s.refund_id = r.id AND s.step = 'rejected')
            """).first?.decode("fen", as: Int64.self) ?? 0
    }

    /// The refund with `id`, with its steps.
    static func find(_ id: UUID, on db: Connection) throws -> RefundRecord? {
        try list(ids: [id], status: nil, patientID: nil, limit: 1, offset: 0, on: db).first
    }

    /// Refunds (of `ids` when given), optionally of one status or patient, oldest first, with their steps.
    static func list(ids: [UUID]? = nil, status: RefundStatus?, patientID: UUID?, limit: Int, offset: Int,
                     on db: Connection) throws -> [RefundRecord] {
        var refunds = try db.query("""
            SELECT r.id, r.bill_id, b.patient_id, b.patient_name, r.amount_fen, r.reason, r.first_visit_date::text AS first_visit_date,
                   r.bill_total_fen, r.bill_paid_fen, r.requested_at, r.requested_by
            FROM refunds r JOIN bills b ON b.id = r.bill_id JOIN refund_statuses s ON s.refund_id = r.id
            WHERE (\(ids == nil) OR r.id = ANY(\(ids ?? [])))
              AND (\(status?.rawValue)::text IS NULL OR s.status = \(status?.rawValue))
              AND (\(patientID)::uuid IS NULL OR b.patient_id = \(patientID))
            ORDER BY r.requested_at, r.id LIMIT \(limit) OFFSET \(offset)
            """).map { row in
            RefundRecord(id: try row.decode("id"), billID: try row.decode("bill_id"), patientID: try row.decode("patient_id"),
                         patientName: try row.decode("patient_name"), amountFen: try row.decode("amount_fen"),
                         reason: try row.decode("reason"),
                         firstVisitDate: ClinicDate(iso: try row.decode("first_visit_date")) ?? ClinicDate(year: 1970, month: 1, day: 1),
                         billTotalFen: try row.decode("bill_total_fen"), billPaidFen: try row.decode("bill_paid_fen"),
                         requestedAt: try row.decode("requested_at"), requestedBy: try row.decode("requested_by"))
        }
        guard !refunds.isEmpty else { return [] }
        var steps: [UUID: [RefundStepRecord]] = [:]
        for row in try db.query("""
            SELECT refund_id, step, note, method, reference, at, by FROM refund_steps
            WHERE refund_id = ANY(\(refunds.map(\.id))) ORDER BY at
            """) {
            let method: String? = try row.decode("method")
            steps[try row.decode("refund_id"), default: []].append(RefundStepRecord(
                step: RefundStatus(rawValue: try row.decode("step")) ?? .requested, note: try row.decode("note"),
                method: method.flatMap(PaymentMethod.init(rawValue:)), reference: try row.decode("reference"),
                at: try row.decode("at"), by: try row.decode("by")))
        }
        for index in refunds.indices { refunds[index].steps = steps[refunds[index].id] ?? [] }
        return refunds
    }
}

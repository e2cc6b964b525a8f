import ClinicService
import ClinicStore
import Foundation

/// Billing's SQL for corrections and their countersignatures (append-only), and for finding the entry corrected.
enum CorrectionStore {
    /// The bill an entry belongs to (the bill itself, a line's bill, a payment's or receipt's bill), when it exists.
    static func bill(of entry: CorrectedEntry, _ id: UUID, lineNumber: Int?, on db: Connection) throws -> UUID? {
        let rows: [Row]
        switch entry {
        case .bill: rows = try db.query("SELECT id AS bill_id FROM bills WHERE id = \(id)")
        case .billLine: rows = try db.query("SELECT bill_id FROM bill_lines WHERE bill_id = \(id) AND line_number = \(lineNumber ?? 0)")
        case .payment: rows = try db.query("SELECT bill_id FROM payments WHERE id = \(id)")
        case .receipt: rows = try db.query("SELECT bill_id FROM receipts WHERE id = \(id)")
        }
        return try rows.first?.decode("bill_id", as: UUID.self)
    }

    /// Stores a correction.
    static func insert(_ correction: CorrectionRecord, on db: Connection) throws {
        try db.execute("""
            INSERT INTO corrections (id, entry, entry_id, line_number, bill_id, patient_id, reason, what_was_wrong, fix, adjustment_fen,
                requested_at, requested_by)
            VALUES (\(correction.id), \(correction.entry.rawValue), \(correction.entryID), \(correction.lineNumber), \(correction.billID),
                \(correction.patientID), \(correction.reason), \(correction.whatWasWrong), \(correction.fix), \(correction.adjustmentFen),
                \(correction.requestedAt), \(correction.requestedBy))
            """)
    }

    /// Records the countersignature; false when the correction already has one.
    static func countersign(_ id: UUID, at: Date, by: String, on db: Connection) throws -> Bool {
        try db.execute("""
            INSERT INTO correction_countersigns (correction_id, countersigned_at, countersigned_by) VALUES (\(id), \(at), \(by))
            ON CONFLICT DO NOTHING
            """) == 1
    }

    /// Locks the correction's row until the transaction ends and returns it.
    static func lock(_ id: UUID, on db: Connection) throws -> CorrectionRecord? {
        _ = try db.query("SELECT id FROM corrections WHERE id = \(id) FOR UPDATE")
        return try list(id: id, billID: nil, patientID: nil, limit: 1, offset: 0, on: db).first
    }

    /// Corrections (the one with `id`, or of a bill or patient), oldest first.
    static func list(id: UUID? = nil, billID: UUID?, patientID: UUID?, limit: Int, offset: Int, on db: Connection) throws -> [CorrectionRecord] {
        try db.query("""
            SELECT c.id, c.entry, c.entry_id, c.line_number, c.bill_id, c.patient_id, c.reason, c.what_was_wrong, c.fix,
                   c.adjustment_fen, c.requested_at, c.requested_by, s.countersigned_at, s.countersigned_by
            FROM corrections c LEFT JOIN correction_countersigns s ON s.correction_id = c.id
            WHERE (\(id)::uuid IS NULL OR c.id = \(id))
              AND (\(billID)::uuid IS NULL OR c.bill_id = \(billID))
              AND (\(patientID)::uuid IS NULL OR c.patient_id = \(patientID))
            ORDER BY c.requested_at, c.id LIMIT \(limit) OFFSET \(offset)
            """).map { row in
            CorrectionRecord(id: try row.decode("id"), entry: CorrectedEntry(rawValue: try row.decode("entry")) ?? .bill,
                             entryID: try row.decode("entry_id"), lineNumber: try row.decode("line_number"),
                             billID: try row.decode("bill_id"), patientID: try row.decode("patient_id"), reason: try row.decode("reason"),
                             whatWasWrong: try row.decode("what_was_wrong"), fix: try row.decode("fix"),
                             adjustmentFen: try row.decode("adjustment_fen"), requestedAt: try row.decode("requested_at"),
                             requestedBy: try row.decode("requested_by"), countersignedAt: try row.decode("countersigned_at"),
                             countersignedBy: try row.decode("countersigned_by"))
        }
    }
}

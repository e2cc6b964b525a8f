import ClinicService
import ClinicStore
import Foundation

/// An anomaly as stored.
struct AnomalyRecord: Sendable, Equatable {
    var id: UUID
    var kind: AnomalyKind
    var billID: UUID?
    var amountFen: Int64
    var description: String
    var recordedAt: Date
    var recordedBy: String
}

/// Billing's SQL for anomalies (append-only).
enum AnomalyStore {
    /// Stores an anomaly.
    static func insert(_ anomaly: AnomalyRecord, on db: Connection) throws {
        try db.execute("""
            INSERT INTO anomalies (id, kind, bill_id, amount_fen, description, recorded_at, recorded_by)
            VALUES (\(anomaly.id), \(anomaly.kind.rawValue), \(anomaly.billID), \(anomaly.amountFen), \(anomaly.description),
                    \(anomaly.recordedAt), \(anomaly.recordedBy))
            """)
    }

    /// Anomalies recorded during `span`, oldest first.
    static func list(in span: TimeSpan, limit: Int, offset: Int, on db: Connection) throws -> [AnomalyRecord] {
        try db.query("""
            SELECT id, kind, bill_id, amount_fen, description, recorded_at, recorded_by FROM anomalies
            WHERE recorded_at >= \(span.start) AND recorded_at < \(span.end)
            ORDER BY recorded_at, id LIMIT \(limit) OFFSET \(offset)
            """).map { row in
            AnomalyRecord(id: try row.decode("id"), kind: AnomalyKind(rawValue: try row.decode("kind")) ?? .other,
                          billID: try row.decode("bill_id"), amountFen: try row.decode("amount_fen"),
                          description: try row.decode("description"), recordedAt: try row.decode("recorded_at"),
                          recordedBy: try row.decode("recorded_by"))
        }
    }
}

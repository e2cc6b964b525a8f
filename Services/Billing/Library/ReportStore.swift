import ClinicService
import ClinicStore
import Foundation

/// One group of the takings report: a clinic day, a method and a doctor.
struct TakingsRecord: Sendable, Equatable {
    var day: String
    var method: PaymentMethod
    var doctorName: String
    var payments: Int
    var amountFen: Int64
}

/// One bill still owed.
struct OutstandingRecord: Sendable, Equatable {
    var billID: UUID
    var patientID: UUID
    var patientName: String
    var serviceDate: String
    var totalFen: Int64
    var paidFen: Int64
    var balanceFen: Int64
}

/// Billing's report queries: the grouping and the sums are PostgreSQL's.
enum ReportStore {
    /// Payments taken during `span`, summed by clinic day (in `timeZone`), method and the bill's doctor.
    static func takings(in span: TimeSpan, timeZone: String, on db: Connection) throws -> [TakingsRecord] {
        try db.query("""
            SELECT to_char(p.received_at AT TIME ZONE \(timeZone), 'YYYY-MM-DD') AS day, p.method, b.doctor_name,
                   count(*)::bigint AS payments, sum(p.amount_fen)::bigint AS amount_fen
            FROM payments p JOIN bills b ON b.id = p.bill_id
            WHERE p.received_at >= \(span.start) AND p.received_at < \(span.end)
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            """).map { row in
            TakingsRecord(day: try row.decode("day"), method: PaymentMethod(rawValue: try row.decode("method")) ?? .cash,
                          doctorName: try row.decode("doctor_name"), payments: try row.decode("payments"),
                          amountFen: try row.decode("amount_fen"))
        }
    }

    /// Bills not void with a balance owed, optionally only those served on or before `asOf`; oldest first.
    static func outstanding(asOf: String?, on db: Connection) throws -> [OutstandingRecord] {
        try db.query("""
            SELECT b.id, b.patient_id, b.patient_name, b.service_date::text AS service_date, f.total_fen, f.paid_fen, f.balance_fen
            FROM bills b JOIN bill_balances f ON f.bill_id = b.id
            WHERE f.status IN ('open', 'partly_paid') AND f.balance_fen > 0
              AND (\(asOf)::date IS NULL OR b.service_date <= \(asOf)::date)
            ORDER BY b.service_date, b.created_at, b.id
            LIMIT 10000
            """).map { row in
            OutstandingRecord(billID: try row.decode("id"), patientID: try row.decode("patient_id"),
                              patientName: try row.decode("patient_name"), serviceDate: try row.decode("service_date"),
                              totalFen: try row.decode("total_fen"), paidFen: try row.decode("paid_fen"),
                              balanceFen: try row.decode("balance_fen"))
        }
    }

    /// Records a print of a receipt; returns how many times it had been printed before.
    static func recordPrint(of receiptID: UUID, at: Date, by: String, on db: Connection) throws -> Int {
        // Prints of one receipt take turns on its row, so two at once cannot both be the original.
        _ = try db.query("SELECT pg_advisory_xact_lock(hashtext(\(receiptID.lowercasedText)))")
        let before = try db.query("SELECT count(*)::bigint AS n FROM receipt_prints WHERE receipt_id = \(receiptID)").first?
            .decode("n", as: Int.self) ?? 0
        try db.execute("INSERT INTO receipt_prints (receipt_id, printed_at, printed_by) VALUES (\(receiptID), \(at), \(by))")
        return before
    }
}

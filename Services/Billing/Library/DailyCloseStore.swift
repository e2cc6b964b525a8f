import ClinicBus
import ClinicService
import ClinicStore
import ClinicValues
import Foundation

/// Billing's SQL for the daily close: the system's totals per method, the counts, the closed days. A closed day is
/// guarded by an advisory lock per date: payments, refund payments and voids hold it shared while they check the
/// day is open, closing the day holds it exclusively, so nothing slips into a day as it closes.
enum DailyCloseStore {
    /// Refuses (FAILED_PRECONDITION) a change dated on `date` once the day is closed; holds the day's shared lock
    /// until the transaction ends.
    static func refuseIfClosed(_ date: ClinicDate, doing what: String, on db: Connection) throws {
        if try db.pipeline(openDayStatements(date)).last?.isEmpty == false { throw closedError(date, doing: what) }
    }

    /// The statements that take `date`'s shared lock and then read whether the day is closed (the last one answers a
    /// row when it is), to run ahead of others in one pipeline. The read is a statement of its own, after the lock.
    static func openDayStatements(_ date: ClinicDate) -> [SQL] {
        ["SELECT pg_advisory_xact_lock_shared(hashtext(\("billing.day." + date.description)))",
         "SELECT 1 AS one FROM day_closes WHERE close_date = \(date.description)::date"]
    }

    /// How many statements `openDayStatements` makes.
    static let openDayStatementCount = 2

    /// FAILED_PRECONDITION: `what` is dated on a closed day.
    static func closedError(_ date: ClinicDate, doing what: String) -> RPCError {
        RPCError.failedPrecondition("the day \(date) is closed: \(what) dated on it is refused; post a correction instead")
    }

    /// Takes the day's exclusive lock until the transaction ends: no payment, refund payment or void of that day runs meanwhile.
    static func lockForClose(_ date: ClinicDate, on db: Connection) throws {
        _ = try db.query("SELECT pg_advisory_xact_lock(hashtext(\("billing.day." + date.description)))")
    }

    /// Whether the day is closed.
    static func isClosed(_ date: ClinicDate, on db: Connection) throws -> Bool {
        try !db.query("SELECT 1 AS one FROM day_closes WHERE close_date = \(date.description)::date").isEmpty
    }

    /// The day's close row, when closed.
    static func close(of date: ClinicDate, on db: Connection) throws -> DayCloseRecord? {
        try db.query("SELECT note, closed_at, closed_by FROM day_closes WHERE close_date = \(date.description)::date").first.map {
            DayCloseRecord(note: try $0.decode("note"), closedAt: try $0.decode("closed_at"), closedBy: try $0.decode("closed_by"))
        }
    }

    /// Records the day closed; false when it already was.
    static func recordClose(_ date: ClinicDate, _ close: DayCloseRecord, on db: Connection) throws -> Bool {
        try db.execute("""
            INSERT INTO day_closes (close_date, note, closed_at, closed_by)
            VALUES (\(date.description)::date, \(close.note), \(close.closedAt), \(close.closedBy)) ON CONFLICT DO NOTHING
            """) == 1
    }

    /// Per method, the payments taken and refunds paid out during `span`.
    static func systemTotals(in span: TimeSpan, on db: Connection) throws -> [PaymentMethod: MethodActivity] {
        var totals: [PaymentMethod: MethodActivity] = [:]
        for row in try db.query("""
            SELECT method, sum(payments)::bigint AS payments_fen, sum(refunds)::bigint AS refunds_fen FROM (
                SELECT method, amount_fen AS payments, 0 AS refunds FROM payments
                WHERE received_at >= \(span.start) AND received_at < \(span.end)
                UNION ALL
                SELECT s.method, 0, r.amount_fen FROM refund_steps s JOIN refunds r ON r.id = s.refund_id
                WHERE s.step = 'paid' AND s.at >= \(span.start) AND s.at < \(span.end)
            ) t GROUP BY method
            """) {
            guard let method = PaymentMethod(rawValue: try row.decode("method")) else { continue }
            totals[method] = MethodActivity(paymentsFen: try row.decode("payments_fen"), refundsFen: try row.decode("refunds_fen"))
        }
        return totals
    }

    /// Stores a count.
    static func insert(_ count: CountRecord, date: ClinicDate, on db: Connection) throws {
        try db.execute("""
            INSERT INTO daily_counts (id, close_date, method, counted_fen, system_fen, difference_fen, note, counted_at, counted_by)
            VALUES (\(UUID.random()), \(date.description)::date, \(count.method.rawValue), \(count.countedFen), \(count.systemFen),
                    \(count.countedFen - count.systemFen), \(count.note), \(count.countedAt), \(count.countedBy))
            """)
    }

    /// Every count of the day, oldest first.
    static func counts(of date: ClinicDate, on db: Connection) throws -> [CountRecord] {
        try db.query("""
            SELECT method, counted_fen, system_fen, note, counted_at, counted_by FROM daily_counts
            WHERE close_date = \(date.description)::date ORDER BY counted_at, id
            """).compactMap { row in
            guard let method = PaymentMethod(rawValue: try row.decode("method")) else { return nil }
            return CountRecord(method: method, countedFen: try row.decode("counted_fen"), systemFen: try row.decode("system_fen"),
                               note: try row.decode("note"), countedAt: try row.decode("counted_at"), countedBy: try row.decode("counted_by"))
        }
    }
}

import ClinicService
import ClinicStore
import ClinicValues
import Foundation

/// Billing's SQL for payments and receipts. Receipt numbers come from a counter row per series, taken in the
/// statement that stores the payment, its receipt and its events, the payment's last, sent with its COMMIT: the row
/// lock is held for that statement and the commit only, and a payment that rolls back gives its number back, so
/// numbers run without gaps.
enum PaymentStore {
    /// Queues, as the transaction's last statement (`Connection.queryAtCommit`), the one that stores the payment, takes
    /// the next number of the receipt's series, stores the receipt under it and writes `received` (PaymentReceived,
    /// the number put in by SQL) and then `paid` (BillPaid, if any) to the outbox. Read the number with
    /// `receiptNumber(from:)` once the transaction has committed.
    static func insertAtCommit(_ payment: ValidPayment, id: UUID, at: Date, by: String, receipt: ReceiptRecord, received: OutboxEntry,
                               paid: OutboxEntry?, on db: Connection) throws -> CommittedRows {
        try db.queryAtCommit("""
            WITH payment AS (
                INSERT INTO payments (id, bill_id, method, amount_fen, tendered_fen, change_fen, card_kind, card_last4, reference,
                    note, received_at, received_by)
                VALUES (\(id), \(receipt.billID), \(payment.method.rawValue), \(payment.amountFen), \(payment.tenderedFen),
                    \(payment.changeFen), \(payment.cardKind), \(payment.cardLast4), \(payment.reference), \(payment.note),
                    \(at), \(by))
                RETURNING id),
            next AS (
                INSERT INTO receipt_counters (series, last_number) VALUES (\(receipt.series), 1)
                ON CONFLICT (series) DO UPDATE SET last_number = receipt_counters.last_number + 1
                RETURNING last_number),
            receipt AS (
                INSERT INTO receipts (id, series, number, payment_id, bill_id, total_fen, paid_before_fen, paid_today_fen,
                    balance_fen, treatment_fee_fen, issued_at, issued_by)
                SELECT \(receipt.id), \(receipt.series), next.last_number, payment.id, \(receipt.billID), \(receipt.totalFen),
                    \(receipt.paidBeforeFen), \(receipt.paidTodayFen), \(receipt.balanceFen), \(receipt.treatmentFeeFen),
                    \(receipt.issuedAt), \(receipt.issuedBy)
                FROM payment, next
                RETURNING number),
            received AS (
                INSERT INTO outbox (topic, type, payload)
                SELECT \(received.topic), \(received.type),
                    protobuf_with_string(\(received.payload), \(BillingEvents.receiptNumberField),
                                         receipt_display_number(\(receipt.series), receipt.number))
                FROM receipt
                RETURNING id),
            -- Read from `received`, so written after it: the events keep their order.
            paid AS (
                INSERT INTO outbox (topic, type, payload)
                SELECT \(paid?.topic), \(paid?.type), \(paid?.payload) FROM received WHERE \(paid != nil))
            SELECT number FROM receipt
            """)
    }

    /// The receipt number from the rows of `insertAtCommit`, once committed; nil when the statement's answer never
    /// came (the connection was lost after the commit and the transaction was run again).
    static func receiptNumber(from answer: CommittedRows) throws -> Int64? {
        try answer.rows.first?.decode("number", as: Int64.self)
    }

    /// The number of the receipt with `id`, if it exists.
    static func receiptNumber(ofReceipt id: UUID, on db: Connection) throws -> Int64? {
        try db.query("SELECT number FROM receipts WHERE id = \(id)").first?.decode("number", as: Int64.self)
    }

    /// A payment's columns and tables (`p`), with its receipt's number and whether a correction points at it; the
    /// caller adds the WHERE.
    private static let paymentColumns = """
        p.id, p.bill_id, p.method, p.amount_fen, p.tendered_fen, p.change_fen, p.card_kind, p.card_last4, p.reference,
        p.note, p.received_at, p.received_by, r.id AS receipt_id, r.series, r.number,
        EXISTS (SELECT 1 FROM corrections c WHERE c.entry_id = p.id AND c.entry = 'payment') AS corrected
        FROM payments p LEFT JOIN receipts r ON r.payment_id = p.id
        """

    /// The payments of `ids`' bills, by bill, oldest first, with their receipts' numbers.
    static func payments(of ids: [UUID], on db: Connection) throws -> [UUID: [PaymentRecord]] {
        var found: [UUID: [PaymentRecord]] = [:]
        for row in try db.query("SELECT \(raw: paymentColumns) WHERE p.bill_id = ANY(\(ids)) ORDER BY p.received_at, p.id") {
            let payment = try payment(from: row)
            found[payment.billID, default: []].append(payment)
        }
        return found
    }

    /// The statement that reads one bill's payments, oldest first, with their receipts' numbers.
    static func paymentsStatement(ofBill id: UUID) -> SQL {
        "SELECT \(raw: paymentColumns) WHERE p.bill_id = \(id) ORDER BY p.received_at, p.id"
    }

    /// A payment row (with its receipt's number) as a record.
    static func payment(from row: Row) throws -> PaymentRecord {
        let series: String? = try row.decode("series")
        let number: Int64? = try row.decode("number")
        return PaymentRecord(
            id: try row.decode("id"), billID: try row.decode("bill_id"),
            method: PaymentMethod(rawValue: try row.decode("method")) ?? .cash, amountFen: try row.decode("amount_fen"),
            tenderedFen: try row.decode("tendered_fen"), changeFen: try row.decode("change_fen"),
            cardKind: try row.decode("card_kind"), cardLast4: try row.decode("card_last4"), reference: try row.decode("reference"),
            note: try row.decode("note"), receivedAt: try row.decode("received_at"), receivedBy: try row.decode("received_by"),
            receiptID: try row.decode("receipt_id"),
            receiptNumber: series.flatMap { series in number.map { ReceiptRecord.display(series: series, number: $0) } } ?? "",
            corrected: try row.decode("corrected"))
    }

    /// A receipt's columns, joined with its bill (`b`) and payment (`p`).
    static let receiptColumns = """
        r.id, r.series, r.number, r.bill_id, r.payment_id, b.patient_id, b.patient_name, r.total_fen, r.paid_before_fen,
        r.paid_today_fen, r.balance_fen, r.treatment_fee_fen, p.method, r.issued_at, r.issued_by,
        EXISTS (SELECT 1 FROM corrections c WHERE c.entry_id = r.id AND c.entry = 'receipt') AS corrected
        """

    /// The receipt with `id`.
    static func receipt(_ id: UUID, on db: Connection) throws -> ReceiptRecord? {
        try db.query("""
            SELECT \(raw: receiptColumns) FROM receipts r JOIN bills b ON b.id = r.bill_id JOIN payments p ON p.id = r.payment_id
            WHERE r.id = \(id)
            """).first.map(receipt(from:))
    }

    /// Receipts issued during `span`, by series and number.
    static func receipts(in span: TimeSpan, limit: Int, offset: Int, on db: Connection) throws -> [ReceiptRecord] {
        try db.query("""
            SELECT \(raw: receiptColumns) FROM receipts r JOIN bills b ON b.id = r.bill_id JOIN payments p ON p.id = r.payment_id
            WHERE r.issued_at >= \(span.start) AND r.issued_at < \(span.end)
            ORDER BY r.series, r.number LIMIT \(limit) OFFSET \(offset)
            """).map(receipt(from:))
    }

    /// A receipt row (joined with its bill and payment) as a record.
    private static func receipt(from row: Row) throws -> ReceiptRecord {
        ReceiptRecord(id: try row.decode("id"), series: try row.decode("series"), number: try row.decode("number"),
                      billID: try row.decode("bill_id"), paymentID: try row.decode("payment_id"),
                      patientID: try row.decode("patient_id"), patientName: try row.decode("patient_name"),
                      totalFen: try row.decode("total_fen"), paidBeforeFen: try row.decode("paid_before_fen"),
                      paidTodayFen: try row.decode("paid_today_fen"), balanceFen: try row.decode("balance_fen"),
                      treatmentFeeFen: try row.decode("treatment_fee_fen"),
                      method: PaymentMethod(rawValue: try row.decode("method")) ?? .cash,
                      issuedAt: try row.decode("issued_at"), issuedBy: try row.decode("issued_by"),
                      corrected: try row.decode("corrected"))
    }
}

import ClinicService
import ClinicStore
import ClinicValues
import Foundation

/// Billing's SQL for bills, their lines and voids. Rows are only ever inserted; the figures come from the
/// `bill_balances` view, or, for one bill read with all its rows, from `BillFigures` over those rows (the same rule).
enum BillStore {
    static let columns = """
        b.id, b.patient_id, b.patient_name, b.visit_id, b.doctor_name, b.service_date::text AS service_date, b.created_at,
        b.created_by, s.total_fen, s.paid_fen, s.balance_fen, s.unresolved_lines, s.status, s.discount_fen, s.refunded_fen,
        s.corrected,
        v.reason AS void_reason, v.voided_at, v.voided_by
        """
    static let from = "bills b JOIN bill_balances s ON s.bill_id = b.id LEFT JOIN bill_voids v ON v.bill_id = b.id"

    /// Stores a bill and its lines; false when the visit already has a bill (nothing is written then).
    @discardableResult
    static func insert(_ bill: NewBill, on db: Connection) throws -> Bool {
        let inserted = try db.execute("""
            INSERT INTO bills (id, patient_id, patient_name, visit_id, doctor_name, service_date, created_at, created_by)
            VALUES (\(bill.id), \(bill.patientID), \(bill.patientName), \(bill.visitID), \(bill.doctorName),
                    \(bill.serviceDate.description)::date, \(bill.createdAt), \(bill.createdBy))
            ON CONFLICT (visit_id) WHERE visit_id IS NOT NULL DO NOTHING
            """)
        guard inserted == 1 else { return false }
        try addLines(bill.lines, to: bill.id, startingAt: 1, at: bill.createdAt, by: bill.createdBy, on: db)
        return true
    }

    /// Appends lines numbered from `first`.
    static func addLines(_ lines: [NewBillLine], to billID: UUID, startingAt first: Int, at: Date, by: String, on db: Connection) throws {
        for (offset, line) in lines.enumerated() {
            try db.execute("""
                INSERT INTO bill_lines (bill_id, line_number, item_code, item_name, category, quantity, unit_price_fen,
                    discount_fen, unresolved, resolves_line_number, added_at, added_by)
                VALUES (\(billID), \(first + offset), \(line.itemCode), \(line.itemName), \(line.category), \(line.quantity),
                    \(line.unitPriceFen), \(line.discountFen), \(line.unresolved), \(line.resolvesLineNumber), \(at), \(by))
                """)
        }
    }

    /// Records a bill's void.
    static func void(_ billID: UUID, _ void: BillVoid, on db: Connection) throws {
        try db.execute("""
            INSERT INTO bill_voids (bill_id, reason, voided_at, voided_by) VALUES (\(billID), \(void.reason), \(void.voidedAt), \(void.voidedBy))
            """)
    }

    /// Locks the bill's row until the transaction ends: payments, voids and resolutions of one bill take turns.
    /// Returns false when there is no such bill.
    static func lock(_ id: UUID, on db: Connection) throws -> Bool {
        try !db.query(lockStatement(id)).isEmpty
    }

    /// The statement that locks the bill's row (a row when the bill exists), to run ahead of reads in one pipeline.
    static func lockStatement(_ id: UUID) -> SQL { "SELECT id FROM bills WHERE id = \(id) FOR UPDATE" }

    /// The bill with `id`, with its lines, payments and discounts (one round trip).
    static func find(_ id: UUID, on db: Connection) throws -> BillRecord? {
        try bill(from: db.pipeline(readStatements(id))[...])
    }

    /// What a one-bill read needs beside the bill's lines, payments and discounts: the bill's own columns, its void,
    /// the refunds paid out and whether a correction points at it (the rest of `bill_balances`, without reading the
    /// lines and payments a second time).
    private static let headerColumns = """
        b.id, b.patient_id, b.patient_name, b.visit_id, b.doctor_name, b.service_date::text AS service_date, b.created_at,
        b.created_by, v.reason AS void_reason, v.voided_at, v.voided_by,
        (SELECT COALESCE(sum(r.amount_fen), 0)::bigint FROM refunds r
         WHERE r.bill_id = b.id AND EXISTS (SELECT 1 FROM refund_steps s WHERE s.refund_id = r.id AND s.step = 'paid')) AS refunded_fen,
        EXISTS (SELECT 1 FROM corrections c WHERE c.entry_id = b.id AND c.entry = 'bill') AS corrected
        FROM bills b LEFT JOIN bill_voids v ON v.bill_id = b.id
        """

    /// The statements that read one bill, for `bill(from:)`: the bill, its lines, its payments and its discounts. Each
    /// filters on the one id (`= $1`), so its one generic plan is an index look-up.
    static func readStatements(_ id: UUID) -> [SQL] {
        ["SELECT \(raw: headerColumns) WHERE b.id = \(id)",
         "SELECT \(raw: lineColumns) WHERE l.bill_id = \(id) ORDER BY l.line_number",
         PaymentStore.paymentsStatement(ofBill: id),
         DiscountStore.discountsStatement(ofBill: id)]
    }

    /// The bill from the results of `readStatements`, in order, its figures computed from its rows by `BillFigures`
    /// (the rule of `bill_balances`); nil when there is no such bill.
    static func bill(from results: ArraySlice<[Row]>) throws -> BillRecord? {
        let parts = Array(results)
        guard parts.count == 4, let head = parts[0].first else { return nil }
        let lines = try parts[1].map(line(from:))
        let payments = try parts[2].map(PaymentStore.payment(from:))
        let discounts = try parts[3].map(DiscountStore.discount(from:))
        let voidReason: String? = try head.decode("void_reason")
        let void = try voidReason.map { BillVoid(reason: $0, voidedAt: try head.decode("voided_at"), voidedBy: try head.decode("voided_by")) }
        let figures = BillFigures(
            lines: lines.map { BillFigures.Line(quantity: $0.quantity, unitPriceFen: $0.unitPriceFen, discountFen: $0.discountFen,
                                                unresolved: $0.unresolved, resolved: $0.resolvedByLineNumber != nil) },
            discounts: discounts.map(\.amountFen), payments: payments.map(\.amountFen),
            refunds: [try head.decode("refunded_fen", as: Int64.self)], voided: void != nil)
        var bill = try record(from: head, figures: figures, void: void)
        bill.lines = lines
        bill.payments = payments
        bill.discounts = discounts
        return bill
    }

    /// The bill of a visit, if any.
    static func bill(forVisit visitID: UUID, on db: Connection) throws -> UUID? {
        try db.query("SELECT id FROM bills WHERE visit_id = \(visitID)").first?.decode("id", as: UUID.self)
    }

    /// Bills of `date` (or of one visit, whatever its date), optionally of one patient or status; oldest first.
    static func list(date: ClinicDate?, visitID: UUID?, patientID: UUID?, status: BillStatus?, limit: Int, offset: Int,
                     on db: Connection) throws -> [BillRecord] {
        var bills = try db.query("""
            SELECT \(raw: columns) FROM \(raw: from)
            WHERE (\(date?.description)::date IS NULL OR b.service_date = \(date?.description)::date)
              AND (\(visitID)::uuid IS NULL OR b.visit_id = \(visitID))
              AND (\(patientID)::uuid IS NULL OR b.patient_id = \(patientID))
              AND (\(status?.rawValue)::text IS NULL OR s.status = \(status?.rawValue))
            ORDER BY b.created_at, b.id LIMIT \(limit) OFFSET \(offset)
            """).map(record(from:))
        let ids = bills.map(\.id)
        let lines = try lines(of: ids, on: db)
        let payments = try PaymentStore.payments(of: ids, on: db)
        let discounts = try DiscountStore.discounts(of: ids, on: db)
        for index in bills.indices {
            bills[index].lines = lines[bills[index].id] ?? []
            bills[index].payments = payments[bills[index].id] ?? []
            bills[index].discounts = discounts[bills[index].id] ?? []
        }
        return bills
    }

    /// A line's columns and tables (`l`), each unresolved line joined with the line that resolved it; the caller adds
    /// the WHERE.
    private static let lineColumns = """
        l.bill_id, l.line_number, l.item_code, l.item_name, l.category, l.quantity, l.unit_price_fen, l.discount_fen,
        l.line_total_fen, l.unresolved, l.resolves_line_number, r.line_number AS resolved_by, l.added_at, l.added_by
        FROM bill_lines l LEFT JOIN bill_lines r ON r.bill_id = l.bill_id AND r.resolves_line_number = l.line_number
        """

    /// The lines of `ids`' bills, by bill, in line order; each unresolved line names the line that resolved it.
    static func lines(of ids: [UUID], on db: Connection) throws -> [UUID: [BillLineRecord]] {
        var found: [UUID: [BillLineRecord]] = [:]
        for row in try db.query("SELECT \(raw: lineColumns) WHERE l.bill_id = ANY(\(ids)) ORDER BY l.bill_id, l.line_number") {
            found[try row.decode("bill_id"), default: []].append(try line(from: row))
        }
        return found
    }

    /// A line row as a record.
    private static func line(from row: Row) throws -> BillLineRecord {
        BillLineRecord(lineNumber: try row.decode("line_number"), itemCode: try row.decode("item_code"),
                       itemName: try row.decode("item_name"), category: try row.decode("category"),
                       quantity: try row.decode("quantity"), unitPriceFen: try row.decode("unit_price_fen"),
                       discountFen: try row.decode("discount_fen"), lineTotalFen: try row.decode("line_total_fen"),
                       unresolved: try row.decode("unresolved"), resolvesLineNumber: try row.decode("resolves_line_number"),
                       resolvedByLineNumber: try row.decode("resolved_by"), addedAt: try row.decode("added_at"),
                       addedBy: try row.decode("added_by"))
    }

    /// A bill row (with its figures from `bill_balances` and its void) as a record; lines and payments are read
    /// separately.
    private static func record(from row: Row) throws -> BillRecord {
        let voidReason: String? = try row.decode("void_reason")
        let figures = BillFigures(totalFen: try row.decode("total_fen"), paidFen: try row.decode("paid_fen"),
                                  balanceFen: try row.decode("balance_fen"), unresolvedLines: try row.decode("unresolved_lines"),
                                  status: BillStatus(rawValue: try row.decode("status")) ?? .open,
                                  discountFen: try row.decode("discount_fen"), refundedFen: try row.decode("refunded_fen"))
        return try record(from: row, figures: figures,
                          void: try voidReason.map { BillVoid(reason: $0, voidedAt: try row.decode("voided_at"), voidedBy: try row.decode("voided_by")) })
    }

    /// A bill row's own columns as a record with `figures` and `void`.
    private static func record(from row: Row, figures: BillFigures, void: BillVoid?) throws -> BillRecord {
        BillRecord(
            id: try row.decode("id"), patientID: try row.decode("patient_id"), patientName: try row.decode("patient_name"),
            visitID: try row.decode("visit_id"), doctorName: try row.decode("doctor_name"),
            serviceDate: ClinicDate(iso: try row.decode("service_date")) ?? ClinicDate(year: 1970, month: 1, day: 1),
            createdAt: try row.decode("created_at"), createdBy: try row.decode("created_by"),
            figures: figures, void: void, corrected: try row.decode("corrected"))
    }
}

import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation

/// Bills: made by the cashier, read, listed, their unresolved lines priced, voided.
extension BillingHandlers {
    /// CreateBill: the cashier's bill, every code priced on the service date; ALREADY_EXISTS when the visit has one.
    func createBill(_ context: RequestContext, _ request: Clinic_Billing_V1_CreateBillRequest) throws -> Clinic_Billing_V1_Bill {
        let patientID = try CheckedID.parse(request.patientID, field: "patientId")
        let visitID = try CheckedID.parseOptional(request.visitID, field: "visitId")
        let serviceDate = try CheckedDate.parse(request.serviceDate, field: "serviceDate", default: clock.today())
        if context.idempotencyKey.isEmpty, let visitID, let existing = try BillStore.bill(forVisit: visitID, on: db) {
            throw Self.visitBilled(visitID, existing: existing)
        }
        let priced = try FeeStore.priced(request.lines.map(\.feeCode), on: serviceDate, on: db)
        var violations: [FieldViolation] = []
        var lines: [NewBillLine] = []
        for (index, requested) in request.lines.enumerated() {
            let quantity = requested.quantity == 0 ? 1 : Int(requested.quantity)
            guard let item = priced[requested.feeCode] else {
                violations.append(FieldViolation(field: "lines[\(index)].feeCode", "\(requested.feeCode) has no price in force on \(serviceDate)"))
                continue
            }
            let line = NewBillLine.priced(item, quantity: quantity, discountFen: requested.discountFen)
            if requested.discountFen > Int64(quantity) * item.unitPriceFen {
                violations.append(FieldViolation(field: "lines[\(index)].discountFen", "must not exceed the line's price (\(Int64(quantity) * item.unitPriceFen) fen)"))
            }
            lines.append(line)
        }
        guard violations.isEmpty else { throw RPCError.invalidArguments(violations) }
        let now = Date().inStoredPrecision
        let bill = NewBill(id: UUID.random(), patientID: patientID, patientName: request.patientName.trimmingWhitespace(),
                           visitID: visitID, doctorName: "", serviceDate: serviceDate, lines: lines, createdAt: now,
                           createdBy: context.actor)
        return try IdempotentWrite.perform(context, on: db) { db in
            guard try BillStore.insert(bill, on: db) else {
                // Only a visit's bill collides: reception's event made it meanwhile.
                if let visitID, let existing = try BillStore.bill(forVisit: visitID, on: db) { throw Self.visitBilled(visitID, existing: existing) }
                throw RPCError(.aborted, "the bill could not be stored: retry")
            }
            let stored = try storedBill(bill.id, on: db)
            try BillingEvents.billCreated(bill, figures: stored.figures, on: db)
            logger.info("bill created", metadata: ["bill_id": "\(bill.id.lowercasedText)", "lines": "\(lines.count)",
                                                   "by": "\(context.actor)"])
            return BillingMessages.bill(stored)
        }
    }

    /// GetBill: the bill with its lines, payments and derived figures.
    func getBill(_ context: RequestContext, _ request: Clinic_Billing_V1_GetBillRequest) throws -> Clinic_Billing_V1_Bill {
        BillingMessages.bill(try storedBill(try CheckedID.parse(request.billID, field: "billId"), on: db))
    }

    /// ListBills: one day's bills (or one visit's), optionally of one patient or status.
    func listBills(_ context: RequestContext, _ request: Clinic_Billing_V1_ListBillsRequest) throws -> Clinic_Billing_V1_ListBillsResponse {
        let visitID = try CheckedID.parseOptional(request.visitID, field: "visitId")
        // A visit's bill is found whatever its date; otherwise one day's bills, today by default.
        let date = visitID == nil ? try CheckedDate.parse(request.date, field: "date", default: clock.today()) : try CheckedDate.parseOptional(request.date, field: "date")
        let page = try Page(request.page)
        let bills = try BillStore.list(date: date, visitID: visitID,
                                       patientID: try CheckedID.parseOptional(request.patientID, field: "patientId"),
                                       status: BillStatus(request.status), limit: page.size + 1, offset: page.offset, on: db)
        var response = Clinic_Billing_V1_ListBillsResponse()
        response.bills = bills.prefix(page.size).map(BillingMessages.bill)
        if bills.count > page.size { response.nextPageToken = page.next.token }
        return response
    }

    /// ResolveBillLine: prices an unresolved line with a new line that references it, under the bill's lock.
    func resolveBillLine(_ context: RequestContext, _ request: Clinic_Billing_V1_ResolveBillLineRequest) throws -> Clinic_Billing_V1_Bill {
        let billID = try CheckedID.parse(request.billID, field: "billId")
        let lineNumber = Int(request.lineNumber)
        let quantity = request.quantity == 0 ? 1 : Int(request.quantity)
        let now = Date().inStoredPrecision
        return try IdempotentWrite.perform(context, on: db) { db in
            guard try BillStore.lock(billID, on: db) else { throw RPCError.notFound("bill \(billID.lowercasedText) not found") }
            let bill = try storedBill(billID, on: db)
            if bill.figures.status == .void { throw RPCError.failedPrecondition("bill \(billID.lowercasedText) is void") }
            guard let line = bill.lines.first(where: { $0.lineNumber == lineNumber }) else {
                throw RPCError.notFound("bill \(billID.lowercasedText) has no line \(lineNumber)")
            }
            guard line.unresolved else { throw RPCError.failedPrecondition("line \(lineNumber) is priced: only an unresolved line is resolved") }
            if let by = line.resolvedByLineNumber { throw RPCError.failedPrecondition("line \(lineNumber) was resolved by line \(by)") }
            guard let item = try FeeStore.priced([request.feeCode], on: bill.serviceDate, on: db)[request.feeCode] else {
                throw RPCError.invalidArgument(field: "feeCode", "\(request.feeCode) has no price in force on \(bill.serviceDate)")
            }
            let next = (bill.lines.map(\.lineNumber).max() ?? 0) + 1
            try BillStore.addLines([.priced(item, quantity: quantity, resolving: lineNumber)], to: billID, startingAt: next, at: now,
                                   by: context.actor, on: db)
            logger.info("bill line resolved", metadata: ["bill_id": "\(billID.lowercasedText)", "line": "\(lineNumber)",
                                                         "by": "\(context.actor)"])
            return BillingMessages.bill(try storedBill(billID, on: db))
        }
    }

    /// VoidBill: records the void with its reason, under the bill's lock, only while nothing is paid.
    func voidBill(_ context: RequestContext, _ request: Clinic_Billing_V1_VoidBillRequest) throws -> Clinic_Billing_V1_Bill {
        let billID = try CheckedID.parse(request.billID, field: "billId")
        let reason = request.reason.trimmingWhitespace()
        if CardNumberGuard.containsCardNumber(reason) {
            throw RPCError.invalidArgument(field: "reason", "must not contain a bank card number")
        }
        let now = Date().inStoredPrecision
        return try IdempotentWrite.perform(context, on: db) { db in
            let bill = try lockedBill(billID, changingDay: clock.date(of: now), doing: "a void", on: db)
            if bill.figures.status == .void { throw RPCError.failedPrecondition("bill \(billID.lowercasedText) is already void") }
            guard bill.payments.isEmpty else {
                throw RPCError.failedPrecondition("bill \(billID.lowercasedText) has payments (\(bill.figures.paidFen) fen): it can no longer be voided")
            }
            let void = BillVoid(reason: reason, voidedAt: now, voidedBy: context.actor)
            try BillStore.void(billID, void, on: db)
            try BillingEvents.billVoided(bill, void, on: db)
            logger.info("bill voided", metadata: ["bill_id": "\(billID.lowercasedText)", "by": "\(context.actor)"])
            return BillingMessages.bill(try storedBill(billID, on: db))
        }
    }

    /// The stored bill; NOT_FOUND naming it.
    func storedBill(_ id: UUID, on db: Connection) throws -> BillRecord {
        guard let bill = try BillStore.find(id, on: db) else { throw RPCError.notFound("bill \(id.lowercasedText) not found") }
        return bill
    }

    /// For a payment or a void dated `day`: refuses a closed day (holding the day's shared lock), locks the bill's row
    /// and reads the bill as it then stands, in one round trip.
    func lockedBill(_ id: UUID, changingDay day: ClinicDate, doing what: String, on db: Connection) throws -> BillRecord {
        try Self.lockedBill(id, changingDay: day, doing: what, from: db.pipeline(Self.lockedBillStatements(id, changingDay: day)))
    }

    /// The statements of `lockedBill`, to send in one pipeline: the day's shared lock, whether the day is closed, the
    /// bill's row lock, then the bill. Each is a statement of its own, so each read's snapshot is taken once the locks
    /// before it are held (a payment committed while this one waited for the bill is seen).
    static func lockedBillStatements(_ id: UUID, changingDay day: ClinicDate) -> [SQL] {
        DailyCloseStore.openDayStatements(day) + [BillStore.lockStatement(id)] + BillStore.readStatements(id)
    }

    /// The bill from the rows of `lockedBillStatements`: FAILED_PRECONDITION when the day is closed, NOT_FOUND when
    /// there is no such bill.
    static func lockedBill(_ id: UUID, changingDay day: ClinicDate, doing what: String, from results: [[Row]]) throws -> BillRecord {
        let dayCount = DailyCloseStore.openDayStatementCount
        guard results.count > dayCount else { throw StoreError(kind: .query, message: "the bill's locks and reads answered too few results") }
        if !results[dayCount - 1].isEmpty { throw DailyCloseStore.closedError(day, doing: what) }
        guard !results[dayCount].isEmpty, let bill = try BillStore.bill(from: results[(dayCount + 1)...]) else {
            throw RPCError.notFound("bill \(id.lowercasedText) not found")
        }
        return bill
    }

    /// ALREADY_EXISTS naming the visit's bill.
    static func visitBilled(_ visitID: UUID, existing: UUID) -> RPCError {
        RPCError(.alreadyExists, "visit \(visitID.lowercasedText) already has bill \(existing.lowercasedText)",
                 violations: [FieldViolation(field: "existingBillId", existing.lowercasedText)])
    }
}

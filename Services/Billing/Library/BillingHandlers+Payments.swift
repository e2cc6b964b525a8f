import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation

/// Payments and their receipts.
extension BillingHandlers {
    /// RecordPayment: the method's rules, then under the bill's lock the balance check, the payment, its receipt and
    /// the events, in one transaction keyed by the idempotency key. Three round trips: the key's lock and look-up, the
    /// day's and the bill's locks and the bill (one pipeline, with the BEGIN); the payment with its receipt and number
    /// (one statement); the event and the idempotency record (with the COMMIT).
    func recordPayment(_ context: RequestContext, _ request: Clinic_Billing_V1_RecordPaymentRequest) throws -> Clinic_Billing_V1_RecordPaymentResponse {
        // The rules run first, so a card number in the text never reaches the store, the idempotency record or a log.
        let draft = PaymentDraft(method: PaymentMethod(request.method), amountFen: request.amountFen, tenderedFen: request.tenderedFen,
                                 cardKind: request.cardKind == .debit ? "debit" : request.cardKind == .credit ? "credit" : "",
                                 cardLast4: request.cardLast4, reference: request.reference, note: request.note)
        let payment = try PaymentRules.validate(draft).orInvalidArgument()
        guard !context.idempotencyKey.isEmpty else {
            throw RPCError.invalidArgument(field: "idempotencyKey", "a payment needs an idempotency key, so that a retry never pays twice")
        }
        let billID = try CheckedID.parse(request.billID, field: "billId")
        let now = Date().inStoredPrecision
        let day = clock.date(of: now)
        return try IdempotentWrite.perform(context, on: db, reading: Self.lockedBillStatements(billID, changingDay: day)) { db, read in
            let bill = try Self.lockedBill(billID, changingDay: day, doing: "a payment", from: read)
            try Self.check(payment, against: bill)
            let paymentID = UUID.random()
            let balanceAfter = bill.figures.balanceFen - payment.amountFen
            var receipt = ReceiptRecord(
                id: UUID.random(), series: String(day.year), number: 0, billID: billID, paymentID: paymentID,
                patientID: bill.patientID, patientName: bill.patientName, totalFen: bill.figures.totalFen,
                paidBeforeFen: bill.figures.paidFen, paidTodayFen: payment.amountFen, balanceFen: balanceAfter,
                treatmentFeeFen: payment.amountFen, method: payment.method, issuedAt: now, issuedBy: context.actor)
            var stored = PaymentRecord(id: paymentID, billID: billID, method: payment.method, amountFen: payment.amountFen,
                                       tenderedFen: payment.tenderedFen, changeFen: payment.changeFen, cardKind: payment.cardKind,
                                       cardLast4: payment.cardLast4, reference: payment.reference, note: payment.note,
                                       receivedAt: now, receivedBy: context.actor, receiptID: receipt.id, receiptNumber: "")
            // The receipt number is taken last, with the payment and its receipt in one statement: the counter row's lock
            // is then held for building the reply and the commit only (the event and the idempotency record travel with
            // the COMMIT), and a payment that fails before it takes no number.
            receipt.number = try PaymentStore.insert(payment, id: paymentID, at: now, by: context.actor, receipt: receipt,
                                                     on: db)
            stored.receiptNumber = receipt.displayNumber
            // The bill as it now stands, from what this transaction read under the bill's lock and what it added (the
            // same figures the view gives, without reading the bill again).
            var afterRecord = bill
            afterRecord.payments.append(stored)
            afterRecord.figures = BillFigures(totalFen: bill.figures.totalFen, paidFen: bill.figures.paidFen + payment.amountFen,
                                              balanceFen: balanceAfter, unresolvedLines: bill.figures.unresolvedLines,
                                              status: balanceAfter <= 0 ? .paid : .partlyPaid, discountFen: bill.figures.discountFen,
                                              refundedFen: bill.figures.refundedFen)
            let after = BillingMessages.bill(afterRecord)
            try BillingEvents.paymentReceived(stored, bill: bill, balanceAfter: balanceAfter, on: db)
            logger.info("payment received", metadata: ["bill_id": "\(billID.lowercasedText)", "payment_id": "\(paymentID.lowercasedText)",
                                                       "method": "\(payment.method.rawValue)", "amount_fen": "\(payment.amountFen)",
                                                       "receipt": "\(receipt.displayNumber)", "by": "\(context.actor)"])
            var response = Clinic_Billing_V1_RecordPaymentResponse()
            response.payment = BillingMessages.payment(stored)
            response.receipt = BillingMessages.receipt(receipt, copy: false)
            response.bill = after
            return response
        }
    }

    /// The bill's own rules for a payment: not void, nothing left unresolved, and never more than the balance.
    static func check(_ payment: ValidPayment, against bill: BillRecord) throws {
        let id = bill.id.lowercasedText
        if bill.figures.status == .void { throw RPCError.failedPrecondition("bill \(id) is void") }
        if bill.figures.unresolvedLines > 0 {
            throw RPCError.failedPrecondition("bill \(id) has \(bill.figures.unresolvedLines) unresolved line(s): resolve them before taking payment")
        }
        if payment.amountFen > bill.figures.balanceFen {
            throw RPCError.failedPrecondition("the amount (\(payment.amountFen) fen) is more than the balance of bill \(id): \(bill.figures.balanceFen) fen")
        }
    }

    /// GetReceipt: the receipt, marked as a copy.
    func getReceipt(_ context: RequestContext, _ request: Clinic_Billing_V1_GetReceiptRequest) throws -> Clinic_Billing_V1_Receipt {
        let id = try CheckedID.parse(request.receiptID, field: "receiptId")
        guard let receipt = try PaymentStore.receipt(id, on: db) else { throw RPCError.notFound("receipt \(id.lowercasedText) not found") }
        return BillingMessages.receipt(receipt, copy: true)
    }

    /// ListReceipts: one clinic day's receipts by number.
    func listReceipts(_ context: RequestContext, _ request: Clinic_Billing_V1_ListReceiptsRequest) throws -> Clinic_Billing_V1_ListReceiptsResponse {
        let date = try Self.date(request.date, field: "date", default: clock.today())
        let page = try Page(request.page)
        let receipts = try PaymentStore.receipts(in: clock.span(of: date), limit: page.size + 1, offset: page.offset, on: db)
        var response = Clinic_Billing_V1_ListReceiptsResponse()
        response.receipts = receipts.prefix(page.size).map { BillingMessages.receipt($0, copy: true) }
        if receipts.count > page.size { response.nextPageToken = page.next.token }
        return response
    }
}

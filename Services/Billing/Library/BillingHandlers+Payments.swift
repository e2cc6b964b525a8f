import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation

/// Payments and their receipts.
extension BillingHandlers {
    /// RecordPayment: the method's rules, then under the bill's lock the balance check, the payment, its receipt and
    /// the events, in one transaction keyed by the idempotency key. Two round trips: the key's lock and look-up, the
    /// day's and the bill's locks and the bill (one pipeline, with the BEGIN); then the idempotency record, the
    /// statement that takes the receipt number (with the payment, its receipt and its events) and the COMMIT.
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
        var taken: CommittedRows?
        var response = try IdempotentWrite.perform(context, on: db, reading: Self.lockedBillStatements(billID, changingDay: day)) { db, read in
            let bill = try Self.lockedBill(billID, changingDay: day, doing: "a payment", from: read)
            try Self.check(payment, against: bill)
            let paymentID = UUID.random()
            let balanceAfter = bill.figures.balanceFen - payment.amountFen
            let receipt = ReceiptRecord(
                id: UUID.random(), series: String(day.year), number: 0, billID: billID, paymentID: paymentID,
                patientID: bill.patientID, patientName: bill.patientName, totalFen: bill.figures.totalFen,
                paidBeforeFen: bill.figures.paidFen, paidTodayFen: payment.amountFen, balanceFen: balanceAfter,
                treatmentFeeFen: payment.amountFen, method: payment.method, issuedAt: now, issuedBy: context.actor)
            let stored = PaymentRecord(id: paymentID, billID: billID, method: payment.method, amountFen: payment.amountFen,
                                       tenderedFen: payment.tenderedFen, changeFen: payment.changeFen, cardKind: payment.cardKind,
                                       cardLast4: payment.cardLast4, reference: payment.reference, note: payment.note,
                                       receivedAt: now, receivedBy: context.actor, receiptID: receipt.id, receiptNumber: "")
            // The bill as it now stands, from what this transaction read under the bill's lock and what it adds (the
            // same figures the view gives, without reading the bill again).
            var afterRecord = bill
            afterRecord.payments.append(stored)
            afterRecord.figures = BillFigures(totalFen: bill.figures.totalFen, paidFen: bill.figures.paidFen + payment.amountFen,
                                              balanceFen: balanceAfter, unresolvedLines: bill.figures.unresolvedLines,
                                              status: balanceAfter <= 0 ? .paid : .partlyPaid, discountFen: bill.figures.discountFen,
                                              refundedFen: bill.figures.refundedFen)
            // The receipt number is taken by the transaction's last statement, sent with the COMMIT: the counter row is
            // held for that statement and the commit only, and a payment that fails before it takes no number. The
            // reply stored for the key is this one without the number, which is filled in below (and from the receipt
            // when a retry is answered the stored reply).
            let events = try BillingEvents.paymentReceived(stored, bill: bill, balanceAfter: balanceAfter)
            taken = try PaymentStore.insertAtCommit(payment, id: paymentID, at: now, by: context.actor, receipt: receipt,
                                                    received: events.received, paid: events.paid, on: db)
            var response = Clinic_Billing_V1_RecordPaymentResponse()
            response.payment = BillingMessages.payment(stored)
            response.receipt = BillingMessages.receipt(receipt, copy: false)
            response.receipt.displayNumber = ""
            response.bill = BillingMessages.bill(afterRecord)
            return response
        }
        if let number = try taken.flatMap(PaymentStore.receiptNumber(from:)) {
            Self.setReceiptNumber(number, in: &response)
            logger.info("payment received", metadata: ["bill_id": "\(billID.lowercasedText)", "payment_id": "\(response.payment.id)",
                                                       "method": "\(payment.method.rawValue)", "amount_fen": "\(payment.amountFen)",
                                                       "receipt": "\(response.receipt.displayNumber)", "by": "\(context.actor)"])
        } else {
            // The stored reply answered a retry (or this request's own commit, when the connection was lost after it and
            // the transaction was run again): the number is the receipt's.
            let receiptID = try CheckedID.parse(response.receipt.id, field: "receiptId")
            guard let number = try PaymentStore.receiptNumber(ofReceipt: receiptID, on: db) else {
                throw RPCError.notFound("receipt \(receiptID.lowercasedText) not found")
            }
            Self.setReceiptNumber(number, in: &response)
        }
        return response
    }

    /// Puts the receipt's number into a payment's reply: the receipt, the payment and the payment among the bill's.
    static func setReceiptNumber(_ number: Int64, in response: inout Clinic_Billing_V1_RecordPaymentResponse) {
        let display = ReceiptRecord.display(series: response.receipt.series, number: number)
        response.receipt.number = number
        response.receipt.displayNumber = display
        response.payment.receiptNumber = display
        for index in response.bill.payments.indices where response.bill.payments[index].id == response.payment.id {
            response.bill.payments[index].receiptNumber = display
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
        let date = try CheckedDate.parse(request.date, field: "date", default: clock.today())
        let page = try Page(request.page)
        let receipts = try PaymentStore.receipts(in: clock.span(of: date), limit: page.size + 1, offset: page.offset, on: db)
        var response = Clinic_Billing_V1_ListReceiptsResponse()
        response.receipts = receipts.prefix(page.size).map { BillingMessages.receipt($0, copy: true) }
        if receipts.count > page.size { response.nextPageToken = page.next.token }
        return response
    }
}

import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation

/// Refunds (退款): the doctor's request, the supervisor's decision, the cashier's payment, the patient's receipt.
extension BillingHandlers {
    /// RequestRefund: under the bill's lock, refused when the amount is more than the bill's paid amount less its
    /// refunds requested and not rejected; concurrent requests take turns on the lock, so together they never exceed it.
    func requestRefund(_ context: RequestContext, _ request: Clinic_Billing_V1_RequestRefundRequest) throws -> Clinic_Billing_V1_Refund {
        let billID = try CheckedID.parse(request.billID, field: "billId")
        let firstVisit = try CheckedDate.parse(request.firstVisitDate, field: "firstVisitDate")
        let reason = try Self.cardFree(request.reason, field: "reason")
        guard request.amountFen > 0 else { throw RPCError.invalidArgument(field: "amountFen", "must be a positive number of fen") }
        let now = Date().inStoredPrecision
        return try IdempotentWrite.perform(context, on: db) { db in
            guard try BillStore.lock(billID, on: db) else { throw RPCError.notFound("bill \(billID.lowercasedText) not found") }
            let bill = try storedBill(billID, on: db)
            let committed = try RefundStore.committedFen(billID: billID, on: db)
            let refundable = RefundLimit.refundable(paidFen: bill.figures.paidFen, committedFen: committed)
            if request.amountFen > refundable {
                throw RPCError.failedPrecondition("the refund (\(request.amountFen) fen) is more than can be refunded on bill \(billID.lowercasedText): \(refundable) fen (paid \(bill.figures.paidFen), already refunded or requested \(committed))")
            }
            let refund = RefundRecord(id: UUID.random(), billID: billID, patientID: bill.patientID, patientName: bill.patientName,
                                      amountFen: request.amountFen, reason: reason, firstVisitDate: firstVisit,
                                      billTotalFen: bill.figures.totalFen, billPaidFen: bill.figures.paidFen, requestedAt: now,
                                      requestedBy: context.actor)
            try RefundStore.insert(refund, on: db)
            try BillingEvents.refundRequested(refund, on: db)
            logger.info("refund requested", metadata: ["refund_id": "\(refund.id.lowercasedText)", "bill_id": "\(billID.lowercasedText)",
                                                       "amount_fen": "\(refund.amountFen)", "by": "\(context.actor)"])
            return BillingMessages.refund(refund)
        }
    }

    /// ApproveRefund: a requested refund approved.
    func approveRefund(_ context: RequestContext, _ request: Clinic_Billing_V1_ApproveRefundRequest) throws -> Clinic_Billing_V1_Refund {
        let note = try Self.cardFree(request.note, field: "note")
        return try refundStep(.approved, request.refundID, note: note, context) { refund, step, db in
            try BillingEvents.refundApproved(refund, step, on: db)
        }
    }

    /// RejectRefund: a requested refund rejected, with the note saying why.
    func rejectRefund(_ context: RequestContext, _ request: Clinic_Billing_V1_RejectRefundRequest) throws -> Clinic_Billing_V1_Refund {
        let note = try Self.cardFree(request.note, field: "note")
        guard !note.isEmpty else { throw RPCError.invalidArgument(field: "note", "a rejection says why") }
        return try refundStep(.rejected, request.refundID, note: note, context) { _, _, _ in }
    }

    /// PayRefund: an approved refund paid out by a method; refused on a closed day.
    func payRefund(_ context: RequestContext, _ request: Clinic_Billing_V1_PayRefundRequest) throws -> Clinic_Billing_V1_Refund {
        guard let method = PaymentMethod(request.method) else { throw RPCError.invalidArgument(field: "method", "must be a payment method") }
        let note = try Self.cardFree(request.note, field: "note")
        let reference = try Self.cardFree(request.reference, field: "reference")
        return try refundStep(.paid, request.refundID, note: note, method: method, reference: reference, context) { refund, step, db in
            try DailyCloseStore.refuseIfClosed(clock.date(of: step.at), doing: "a refund payment", on: db)
            try BillingEvents.refundPaid(refund, step, on: db)
        }
    }

    /// RecordRefundReceived: the patient received a paid refund in person.
    func recordRefundReceived(_ context: RequestContext, _ request: Clinic_Billing_V1_RecordRefundReceivedRequest) throws -> Clinic_Billing_V1_Refund {
        let note = try Self.cardFree(request.note, field: "note")
        guard !note.isEmpty else { throw RPCError.invalidArgument(field: "note", "is required") }
        return try refundStep(.received, request.refundID, note: note, context) { _, _, _ in }
    }

    /// GetRefund: one refund with its steps.
    func getRefund(_ context: RequestContext, _ request: Clinic_Billing_V1_GetRefundRequest) throws -> Clinic_Billing_V1_Refund {
        let id = try CheckedID.parse(request.refundID, field: "refundId")
        guard let refund = try RefundStore.find(id, on: db) else { throw RPCError.notFound("refund \(id.lowercasedText) not found") }
        return BillingMessages.refund(refund)
    }

    /// ListRefunds: refunds, optionally of one status or patient.
    func listRefunds(_ context: RequestContext, _ request: Clinic_Billing_V1_ListRefundsRequest) throws -> Clinic_Billing_V1_ListRefundsResponse {
        let page = try Page(request.page)
        let refunds = try RefundStore.list(status: RefundStatus(request.status),
                                           patientID: try CheckedID.parseOptional(request.patientID, field: "patientId"),
                                           limit: page.size + 1, offset: page.offset, on: db)
        var response = Clinic_Billing_V1_ListRefundsResponse()
        response.refunds = refunds.prefix(page.size).map(BillingMessages.refund)
        if refunds.count > page.size { response.nextPageToken = page.next.token }
        return response
    }

    /// One step of a refund under its bill's lock: the refund must stand where the step needs it; `then` publishes.
    private func refundStep(_ kind: RefundStatus, _ refundText: String, note: String, method: PaymentMethod? = nil, reference: String = "",
                            _ context: RequestContext,
                            then: (RefundRecord, RefundStepRecord, Connection) throws -> Void) throws -> Clinic_Billing_V1_Refund {
        let id = try CheckedID.parse(refundText, field: "refundId")
        let now = Date().inStoredPrecision
        return try IdempotentWrite.perform(context, on: db) { db in
            guard let found = try RefundStore.find(id, on: db) else { throw RPCError.notFound("refund \(id.lowercasedText) not found") }
            _ = try BillStore.lock(found.billID, on: db)
            let refund = try RefundStore.find(id, on: db) ?? found
            if let needed = RefundStatus.required(before: kind), refund.status != needed {
                throw RPCError.failedPrecondition("refund \(id.lowercasedText) is \(refund.status.rawValue): only a \(needed.rawValue) refund can be \(kind.rawValue)")
            }
            let step = RefundStepRecord(step: kind, note: note, method: method, reference: reference, at: now, by: context.actor)
            guard try RefundStore.append(step, to: id, on: db) else {
                throw RPCError.failedPrecondition("refund \(id.lowercasedText) was already decided or \(kind.rawValue)")
            }
            try then(refund, step, db)
            logger.info("refund \(kind.rawValue)", metadata: ["refund_id": "\(id.lowercasedText)", "by": "\(context.actor)"])
            guard let after = try RefundStore.find(id, on: db) else { throw RPCError.notFound("refund \(id.lowercasedText) not found") }
            return BillingMessages.refund(after)
        }
    }

    /// GetPatientBilling: the patient's bills, payments and refunds, with the totals.
    func getPatientBilling(_ context: RequestContext, _ request: Clinic_Billing_V1_GetPatientBillingRequest) throws -> Clinic_Billing_V1_PatientBilling {
        let patientID = try CheckedID.parse(request.patientID, field: "patientId")
        let bills = try BillStore.list(date: nil, visitID: nil, patientID: patientID, status: nil, limit: 1000, offset: 0, on: db)
        let refunds = try RefundStore.list(status: nil, patientID: patientID, limit: 1000, offset: 0, on: db)
        var history = Clinic_Billing_V1_PatientBilling()
        history.patientID = patientID.lowercasedText
        history.bills = bills.map(BillingMessages.bill)
        history.payments = bills.flatMap(\.payments).sorted { $0.receivedAt < $1.receivedAt }.map(BillingMessages.payment)
        history.refunds = refunds.map(BillingMessages.refund)
        let live = bills.filter { $0.figures.status != .void }
        history.totalFen = live.reduce(0) { $0 + $1.figures.totalFen }
        history.paidFen = live.reduce(0) { $0 + $1.figures.paidFen }
        history.refundedFen = bills.reduce(0) { $0 + $1.figures.refundedFen }
        history.balanceFen = live.reduce(0) { $0 + $1.figures.balanceFen }
        return history
    }
}

import ClinicProto
import ClinicService
import ClinicStore
import Foundation
import SwiftProtobuf

/// The events billing publishes, written to its outbox in the transaction that makes the change.
enum BillingEvents {
    /// Records `BillCreated`.
    static func billCreated(_ bill: NewBill, figures: BillFigures, on db: Connection) throws {
        var event = Clinic_Billing_V1_BillCreated()
        event.billID = bill.id.lowercasedText
        event.visitID = bill.visitID?.lowercasedText ?? ""
        event.patientID = bill.patientID.lowercasedText
        event.totalFen = figures.totalFen
        event.lineCount = Int32(bill.lines.count)
        event.unresolvedLines = Int32(figures.unresolvedLines)
        event.serviceDate = bill.serviceDate.description
        event.createdBy = bill.createdBy
        event.createdAt = Google_Protobuf_Timestamp(date: bill.createdAt)
        try BillingService.events.append(event, on: db)
    }

    /// The field number of `PaymentReceived.receipt_number`: the payment's last statement, which takes the number,
    /// sets it in the encoded event (a test checks the event then decodes with the number).
    static let receiptNumberField: Int32 = 8

    /// `PaymentReceived`, without its receipt number (the payment's last statement puts it in), and `BillPaid` when
    /// the payment cleared the balance (reception marks the visit paid), for the outbox.
    static func paymentReceived(_ payment: PaymentRecord, bill: BillRecord, balanceAfter: Int64) throws
        -> (received: OutboxEntry, paid: OutboxEntry?) {
        var event = Clinic_Billing_V1_PaymentReceived()
        event.paymentID = payment.id.lowercasedText
        event.billID = bill.id.lowercasedText
        event.visitID = bill.visitID?.lowercasedText ?? ""
        event.patientID = bill.patientID.lowercasedText
        event.method = payment.method.message
        event.amountFen = payment.amountFen
        event.balanceFen = balanceAfter
        event.receivedBy = payment.receivedBy
        event.receivedAt = Google_Protobuf_Timestamp(date: payment.receivedAt)
        let received = try BillingService.events.entry(event)
        guard balanceAfter == 0 else { return (received, nil) }
        var paid = Clinic_Billing_V1_BillPaid()
        paid.billID = bill.id.lowercasedText
        paid.visitID = bill.visitID?.lowercasedText ?? ""
        paid.patientID = bill.patientID.lowercasedText
        paid.totalFen = bill.figures.totalFen
        paid.paidAt = Google_Protobuf_Timestamp(date: payment.receivedAt)
        return (received, try BillingService.events.entry(paid))
    }

    /// Records `BillVoided`.
    static func billVoided(_ bill: BillRecord, _ void: BillVoid, on db: Connection) throws {
        var event = Clinic_Billing_V1_BillVoided()
        event.billID = bill.id.lowercasedText
        event.visitID = bill.visitID?.lowercasedText ?? ""
        event.patientID = bill.patientID.lowercasedText
        event.reason = void.reason
        event.voidedBy = void.voidedBy
        event.voidedAt = Google_Protobuf_Timestamp(date: void.voidedAt)
        try BillingService.events.append(event, on: db)
    }
}

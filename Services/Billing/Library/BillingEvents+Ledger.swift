import ClinicProto
import ClinicService
import ClinicStore
import Foundation
import SwiftProtobuf

/// The events of refunds, the daily close and anomalies, written to the outbox in the change's transaction.
extension BillingEvents {
    /// Records `RefundRequested`.
    static func refundRequested(_ refund: RefundRecord, on db: Connection) throws {
        var event = Clinic_Billing_V1_RefundRequested()
        event.refundID = refund.id.lowercasedText
        event.billID = refund.billID.lowercasedText
        event.patientID = refund.patientID.lowercasedText
        event.amountFen = refund.amountFen
        event.requestedBy = refund.requestedBy
        event.requestedAt = Google_Protobuf_Timestamp(date: refund.requestedAt)
        try BillingService.events.append(event, on: db)
    }

    /// Records `RefundApproved`.
    static func refundApproved(_ refund: RefundRecord, _ step: RefundStepRecord, on db: Connection) throws {
        var event = Clinic_Billing_V1_RefundApproved()
        event.refundID = refund.id.lowercasedText
        event.billID = refund.billID.lowercasedText
        event.patientID = refund.patientID.lowercasedText
        event.amountFen = refund.amountFen
        event.approvedBy = step.by
        event.approvedAt = Google_Protobuf_Timestamp(date: step.at)
        try BillingService.events.append(event, on: db)
    }

    /// Records `RefundPaid`.
    static func refundPaid(_ refund: RefundRecord, _ step: RefundStepRecord, on db: Connection) throws {
        var event = Clinic_Billing_V1_RefundPaid()
        event.refundID = refund.id.lowercasedText
        event.billID = refund.billID.lowercasedText
        event.patientID = refund.patientID.lowercasedText
        event.amountFen = refund.amountFen
        event.method = step.method?.message ?? .unspecified
        event.paidBy = step.by
        event.paidAt = Google_Protobuf_Timestamp(date: step.at)
        try BillingService.events.append(event, on: db)
    }

    /// Records `DayClosed` with the day's sheet.
    static func dayClosed(_ sheet: Clinic_Billing_V1_DailyCloseSheet, on db: Connection) throws {
        var event = Clinic_Billing_V1_DayClosed()
        event.date = sheet.date
        event.methods = sheet.methods
        event.closedBy = sheet.closedBy
        event.closedAt = sheet.closedAt
        try BillingService.events.append(event, on: db)
    }

    /// Records `AnomalyRecorded`, escalated to the supervisor.
    static func anomalyRecorded(_ anomaly: AnomalyRecord, on db: Connection) throws {
        var event = Clinic_Billing_V1_AnomalyRecorded()
        event.anomalyID = anomaly.id.lowercasedText
        event.kind = anomaly.kind.message
        event.billID = anomaly.billID?.lowercasedText ?? ""
        event.amountFen = anomaly.amountFen
        event.recordedBy = anomaly.recordedBy
        event.recordedAt = Google_Protobuf_Timestamp(date: anomaly.recordedAt)
        event.escalatedTo = .supervisor
        try BillingService.events.append(event, on: db)
    }
}

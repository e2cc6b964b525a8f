import ClinicProto
import ClinicValues
import Foundation
import SwiftProtobuf

/// Refunds, the daily close, anomalies, corrections and discounts as the contract's messages.
extension BillingMessages {
    /// A refund with its steps.
    static func refund(_ record: RefundRecord) -> Clinic_Billing_V1_Refund {
        var refund = Clinic_Billing_V1_Refund()
        refund.id = record.id.lowercasedText
        refund.billID = record.billID.lowercasedText
        refund.patientID = record.patientID.lowercasedText
        refund.patientName = record.patientName
        refund.amountFen = record.amountFen
        refund.reason = record.reason
        refund.firstVisitDate = record.firstVisitDate.description
        refund.billTotalFen = record.billTotalFen
        refund.billPaidFen = record.billPaidFen
        refund.status = record.status.message
        refund.requestedBy = record.requestedBy
        refund.requestedAt = Google_Protobuf_Timestamp(date: record.requestedAt)
        refund.steps = record.steps.map { step in
            var message = Clinic_Billing_V1_RefundStep()
            message.step = step.step.message
            message.note = step.note
            message.method = step.method?.message ?? .unspecified
            message.reference = step.reference
            message.by = step.by
            message.at = Google_Protobuf_Timestamp(date: step.at)
            return message
        }
        return refund
    }

    /// A day's close sheet.
    static func sheet(_ sheet: DailyCloseSheet) -> Clinic_Billing_V1_DailyCloseSheet {
        var message = Clinic_Billing_V1_DailyCloseSheet()
        message.date = sheet.date.description
        message.methods = sheet.lines.map { line in
            var method = Clinic_Billing_V1_DailyCloseMethod()
            method.method = line.method.message
            method.paymentsFen = line.activity.paymentsFen
            method.refundsFen = line.activity.refundsFen
            method.systemFen = line.activity.systemFen
            method.counts = Int32(line.counts)
            if let latest = line.latest {
                method.counted = true
                method.countedFen = latest.countedFen
                method.differenceFen = line.differenceFen ?? 0
                method.note = latest.note
                method.countedBy = latest.countedBy
                method.countedAt = Google_Protobuf_Timestamp(date: latest.countedAt)
            }
            return method
        }
        if let close = sheet.close {
            message.closed = true
            message.closedBy = close.closedBy
            message.closedAt = Google_Protobuf_Timestamp(date: close.closedAt)
            message.closeNote = close.note
        }
        return message
    }

    /// An anomaly.
    static func anomaly(_ record: AnomalyRecord) -> Clinic_Billing_V1_Anomaly {
        var anomaly = Clinic_Billing_V1_Anomaly()
        anomaly.id = record.id.lowercasedText
        anomaly.kind = record.kind.message
        anomaly.billID = record.billID?.lowercasedText ?? ""
        anomaly.amountFen = record.amountFen
        anomaly.description_p = record.description
        anomaly.recordedBy = record.recordedBy
        anomaly.recordedAt = Google_Protobuf_Timestamp(date: record.recordedAt)
        return anomaly
    }

    /// A correction.
    static func correction(_ record: CorrectionRecord) -> Clinic_Billing_V1_Correction {
        var correction = Clinic_Billing_V1_Correction()
        correction.id = record.id.lowercasedText
        correction.entry = record.entry.message
        correction.entryID = record.entryID.lowercasedText
        correction.lineNumber = Int32(record.lineNumber ?? 0)
        correction.billID = record.billID.lowercasedText
        correction.patientID = record.patientID.lowercasedText
        correction.reason = record.reason
        correction.whatWasWrong = record.whatWasWrong
        correction.fix = record.fix
        correction.adjustmentFen = record.adjustmentFen
        correction.requestedBy = record.requestedBy
        correction.requestedAt = Google_Protobuf_Timestamp(date: record.requestedAt)
        if let at = record.countersignedAt {
            correction.countersigned = true
            correction.countersignedAt = Google_Protobuf_Timestamp(date: at)
            correction.countersignedBy = record.countersignedBy ?? ""
        }
        return correction
    }

    /// A discount posted on a bill.
    static func discount(_ record: BillDiscountRecord) -> Clinic_Billing_V1_BillDiscount {
        var discount = Clinic_Billing_V1_BillDiscount()
        discount.id = record.id.lowercasedText
        discount.source = record.source.message
        discount.sourceRef = record.sourceRef
        discount.percentBp = Int32(record.percentBP)
        discount.amountFen = record.amountFen
        discount.reason = record.reason
        discount.appliedBy = record.appliedBy
        discount.appliedAt = Google_Protobuf_Timestamp(date: record.appliedAt)
        return discount
    }

    /// A discount policy.
    static func policy(_ record: DiscountPolicyRecord) -> Clinic_Billing_V1_DiscountPolicy {
        var policy = Clinic_Billing_V1_DiscountPolicy()
        policy.code = record.code
        policy.name = record.name
        policy.percentBp = Int32(record.rule.percentBP)
        policy.amountFen = record.rule.amountFen
        policy.reason = record.reason
        policy.createdBy = record.createdBy
        policy.createdAt = Google_Protobuf_Timestamp(date: record.createdAt)
        return policy
    }

    /// A VIP card with its use count.
    static func vipCard(_ record: VipCardRecord) -> Clinic_Billing_V1_VipCard {
        var card = Clinic_Billing_V1_VipCard()
        card.serial = record.serial
        card.holderPatientID = record.holderPatientID.lowercasedText
        card.percentBp = Int32(record.percentBP)
        card.useCount = Int32(record.useCount)
        card.issuedBy = record.issuedBy
        card.issuedAt = Google_Protobuf_Timestamp(date: record.issuedAt)
        return card
    }

    /// A coupon.
    static func coupon(_ record: CouponRecord) -> Clinic_Billing_V1_Coupon {
        var coupon = Clinic_Billing_V1_Coupon()
        coupon.code = record.code
        coupon.description_p = record.description
        coupon.percentBp = Int32(record.rule.percentBP)
        coupon.amountFen = record.rule.amountFen
        coupon.redeemed = record.redeemedBillID != nil
        coupon.redeemedBillID = record.redeemedBillID?.lowercasedText ?? ""
        coupon.createdBy = record.createdBy
        coupon.createdAt = Google_Protobuf_Timestamp(date: record.createdAt)
        return coupon
    }
}

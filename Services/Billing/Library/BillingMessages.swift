import ClinicProto
import ClinicValues
import Foundation
import SwiftProtobuf

/// Billing's records as the contract's messages.
enum BillingMessages {
    /// A fee item with its versions and the price in force on the day it was read for.
    static func feeItem(_ record: FeeItemRecord) -> Clinic_Billing_V1_FeeItem {
        var item = Clinic_Billing_V1_FeeItem()
        item.code = record.code
        item.name = record.name
        item.category = record.category.message
        item.prices = record.prices.map(feePrice)
        if let price = record.inForce {
            item.priced = true
            item.unitPriceFen = price.unitPriceFen
        }
        item.priceOn = record.priceOn?.description ?? ""
        item.createdBy = record.createdBy
        item.createdAt = Google_Protobuf_Timestamp(date: record.createdAt)
        return item
    }

    /// One price version.
    static func feePrice(_ record: FeePriceRecord) -> Clinic_Billing_V1_FeePrice {
        var price = Clinic_Billing_V1_FeePrice()
        price.unitPriceFen = record.unitPriceFen
        price.activeFrom = record.activeFrom.description
        price.activeTo = record.activeTo?.description ?? ""
        price.setBy = record.setBy
        price.setAt = Google_Protobuf_Timestamp(date: record.setAt)
        return price
    }

    /// A bill with its lines and payments.
    static func bill(_ record: BillRecord) -> Clinic_Billing_V1_Bill {
        var bill = Clinic_Billing_V1_Bill()
        bill.id = record.id.lowercasedText
        bill.patientID = record.patientID.lowercasedText
        bill.patientName = record.patientName
        bill.visitID = record.visitID?.lowercasedText ?? ""
        bill.doctorName = record.doctorName
        bill.serviceDate = record.serviceDate.description
        bill.lines = record.lines.map(line)
        bill.totalFen = record.figures.totalFen
        bill.paidFen = record.figures.paidFen
        bill.balanceFen = record.figures.balanceFen
        bill.status = record.figures.status.message
        bill.unresolvedLines = Int32(record.figures.unresolvedLines)
        bill.payments = record.payments.map(payment)
        bill.createdBy = record.createdBy
        bill.createdAt = Google_Protobuf_Timestamp(date: record.createdAt)
        bill.discountFen = record.figures.discountFen
        bill.discounts = record.discounts.map(discount)
        bill.refundedFen = record.figures.refundedFen
        bill.corrected = record.corrected
        if let void = record.void {
            bill.voidReason = void.reason
            bill.voidedBy = void.voidedBy
            bill.voidedAt = Google_Protobuf_Timestamp(date: void.voidedAt)
        }
        return bill
    }

    /// One line of a bill.
    static func line(_ record: BillLineRecord) -> Clinic_Billing_V1_BillLine {
        var line = Clinic_Billing_V1_BillLine()
        line.lineNumber = Int32(record.lineNumber)
        line.itemCode = record.itemCode
        line.itemName = record.itemName
        line.category = FeeCategory.message(stored: record.category)
        line.quantity = Int32(record.quantity)
        line.unitPriceFen = record.unitPriceFen
        line.discountFen = record.discountFen
        line.lineTotalFen = record.lineTotalFen
        line.unresolved = record.unresolved
        line.resolvesLineNumber = Int32(record.resolvesLineNumber ?? 0)
        line.resolvedByLineNumber = Int32(record.resolvedByLineNumber ?? 0)
        line.addedBy = record.addedBy
        line.addedAt = Google_Protobuf_Timestamp(date: record.addedAt)
        return line
    }

    /// One payment.
    static func payment(_ record: PaymentRecord) -> Clinic_Billing_V1_Payment {
        var payment = Clinic_Billing_V1_Payment()
        payment.id = record.id.lowercasedText
        payment.billID = record.billID.lowercasedText
        payment.method = record.method.message
        payment.amountFen = record.amountFen
        payment.tenderedFen = record.tenderedFen
        payment.changeFen = record.changeFen
        payment.cardKind = record.cardKind == "debit" ? .debit : record.cardKind == "credit" ? .credit : .unspecified
        payment.cardLast4 = record.cardLast4
        payment.reference = record.reference
        payment.note = record.note
        payment.receivedBy = record.receivedBy
        payment.receivedAt = Google_Protobuf_Timestamp(date: record.receivedAt)
        payment.receiptID = record.receiptID?.lowercasedText ?? ""
        payment.receiptNumber = record.receiptNumber
        payment.corrected = record.corrected
        return payment
    }

    /// A receipt; `copy` for a reprint.
    static func receipt(_ record: ReceiptRecord, copy: Bool) -> Clinic_Billing_V1_Receipt {
        var receipt = Clinic_Billing_V1_Receipt()
        receipt.id = record.id.lowercasedText
        receipt.series = record.series
        receipt.number = record.number
        receipt.displayNumber = record.displayNumber
        receipt.billID = record.billID.lowercasedText
        receipt.paymentID = record.paymentID.lowercasedText
        receipt.patientID = record.patientID.lowercasedText
        receipt.patientName = record.patientName
        receipt.totalFen = record.totalFen
        receipt.paidBeforeFen = record.paidBeforeFen
        receipt.paidTodayFen = record.paidTodayFen
        receipt.balanceFen = record.balanceFen
        receipt.treatmentFeeFen = record.treatmentFeeFen
        receipt.method = record.method.message
        receipt.issuedBy = record.issuedBy
        receipt.issuedAt = Google_Protobuf_Timestamp(date: record.issuedAt)
        receipt.copy = copy
        receipt.corrected = record.corrected
        return receipt
    }
}

import Foundation

/// A payment as stored, with the receipt issued for it.
struct PaymentRecord: Sendable, Equatable {
    var id: UUID
    var billID: UUID
    var method: PaymentMethod
    var amountFen: Int64
    var tenderedFen: Int64
    var changeFen: Int64
    var cardKind: String
    var cardLast4: String
    var reference: String
    var note: String
    var receivedAt: Date
    var receivedBy: String
    var receiptID: UUID?
    var receiptNumber: String
    /// A correction points at this payment.
    var corrected = false
}

/// A receipt as stored: one per payment, numbered without gaps within its series.
struct ReceiptRecord: Sendable, Equatable {
    var id: UUID
    var series: String
    var number: Int64
    var billID: UUID
    var paymentID: UUID
    var patientID: UUID
    var patientName: String
    var totalFen: Int64
    var paidBeforeFen: Int64
    var paidTodayFen: Int64
    var balanceFen: Int64
    var treatmentFeeFen: Int64
    var method: PaymentMethod
    var issuedAt: Date
    var issuedBy: String
    /// A correction points at this receipt.
    var corrected = false

    /// The number as printed: series and six digits, e.g. "2026-000017".
    var displayNumber: String { Self.display(series: series, number: number) }

    /// A series and number as printed.
    static func display(series: String, number: Int64) -> String {
        let digits = String(number)
        return "\(series)-\(String(repeating: "0", count: max(0, 6 - digits.count)))\(digits)"
    }
}

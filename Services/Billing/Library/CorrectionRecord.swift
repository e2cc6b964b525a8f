import ClinicProto
import Foundation

/// Which kind of ledger entry a correction points at.
enum CorrectedEntry: String, Sendable, CaseIterable {
    case bill
    case billLine = "bill_line"
    case payment
    case receipt

    /// The kind a contract enum names; nil for unspecified.
    init?(_ message: Clinic_Billing_V1_CorrectedEntry) {
        switch message {
        case .bill: self = .bill
        case .billLine: self = .billLine
        case .payment: self = .payment
        case .receipt: self = .receipt
        default: return nil
        }
    }

    /// The contract's enum value.
    var message: Clinic_Billing_V1_CorrectedEntry {
        switch self {
        case .bill: .bill
        case .billLine: .billLine
        case .payment: .payment
        case .receipt: .receipt
        }
    }
}

/// A correction (更改内容) as stored, with its countersignature once given.
struct CorrectionRecord: Sendable, Equatable {
    var id: UUID
    var entry: CorrectedEntry
    var entryID: UUID
    var lineNumber: Int?
    var billID: UUID
    var patientID: UUID
    var reason: String
    var whatWasWrong: String
    var fix: String
    var adjustmentFen: Int64
    var requestedAt: Date
    var requestedBy: String
    var countersignedAt: Date?
    var countersignedBy: String?
}

import ClinicProto

/// What went wrong at the desk: a failed payment, a disputed amount, or something else.
enum AnomalyKind: String, Sendable, CaseIterable {
    case failedPayment = "failed_payment"
    case disputedAmount = "disputed_amount"
    case other

    /// The kind a contract enum names; nil for unspecified.
    init?(_ message: Clinic_Billing_V1_AnomalyKind) {
        switch message {
        case .failedPayment: self = .failedPayment
        case .disputedAmount: self = .disputedAmount
        case .other: self = .other
        default: return nil
        }
    }

    /// The contract's enum value.
    var message: Clinic_Billing_V1_AnomalyKind {
        switch self {
        case .failedPayment: .failedPayment
        case .disputedAmount: .disputedAmount
        case .other: .other
        }
    }
}

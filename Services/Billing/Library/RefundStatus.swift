import ClinicProto

/// Where a refund stands: requested → approved or rejected → paid → received. Derived from its steps, never stored.
enum RefundStatus: String, Sendable, CaseIterable {
    case requested
    case approved
    case rejected
    case paid
    case received

    /// The status a contract enum names; nil for unspecified.
    init?(_ message: Clinic_Billing_V1_RefundStatus) {
        switch message {
        case .requested: self = .requested
        case .approved: self = .approved
        case .rejected: self = .rejected
        case .paid: self = .paid
        case .received: self = .received
        default: return nil
        }
    }

    /// The contract's enum value.
    var message: Clinic_Billing_V1_RefundStatus {
        switch self {
        case .requested: .requested
        case .approved: .approved
        case .rejected: .rejected
        case .paid: .paid
        case .received: .received
        }
    }

    /// The status a refund must be in for `step` to be taken: a decision on a request, payment after approval,
    /// receipt after payment.
    static func required(before step: RefundStatus) -> RefundStatus? {
        switch step {
        case .approved, .rejected: .requested
        case .paid: .approved
        case .received: .paid
        case .requested: nil
        }
    }
}

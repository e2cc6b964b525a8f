import ClinicProto

/// Where a bill stands: open → partly paid → paid, or void (before any payment). Derived, never stored.
enum BillStatus: String, Sendable, CaseIterable {
    case open
    case partlyPaid = "partly_paid"
    case paid
    case void

    /// The status a contract enum names; nil for unspecified.
    init?(_ message: Clinic_Billing_V1_BillStatus) {
        switch message {
        case .open: self = .open
        case .partlyPaid: self = .partlyPaid
        case .paid: self = .paid
        case .void: self = .void
        default: return nil
        }
    }

    /// The contract's enum value.
    var message: Clinic_Billing_V1_BillStatus {
        switch self {
        case .open: .open
        case .partlyPaid: .partlyPaid
        case .paid: .paid
        case .void: .void
        }
    }
}

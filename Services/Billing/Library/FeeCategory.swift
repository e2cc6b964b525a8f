import ClinicProto

/// What a fee item is: a treatment, a drug, a material or an examination.
enum FeeCategory: String, CaseIterable, Sendable {
    case treatment, drug, material, examination

    /// The category a contract enum names; nil for unspecified or unknown.
    init?(_ message: Clinic_Billing_V1_FeeCategory) {
        switch message {
        case .treatment: self = .treatment
        case .drug: self = .drug
        case .material: self = .material
        case .examination: self = .examination
        default: return nil
        }
    }

    /// The contract's enum value.
    var message: Clinic_Billing_V1_FeeCategory {
        switch self {
        case .treatment: .treatment
        case .drug: .drug
        case .material: .material
        case .examination: .examination
        }
    }

    /// The contract enum for a stored category ("" for an unresolved line: unspecified).
    static func message(stored: String) -> Clinic_Billing_V1_FeeCategory { FeeCategory(rawValue: stored)?.message ?? .unspecified }
}

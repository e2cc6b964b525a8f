import ClinicProto

/// Where a discount on a bill came from: a named policy, a VIP card (贵宾卡) or a single-use coupon.
enum DiscountSource: String, Sendable, CaseIterable {
    case policy
    case vipCard = "vip_card"
    case coupon

    /// The contract's enum value.
    var message: Clinic_Billing_V1_DiscountSource {
        switch self {
        case .policy: .policy
        case .vipCard: .vipCard
        case .coupon: .coupon
        }
    }
}

import ClinicProto

/// How a patient pays: cash, a bank card, social insurance (社保), WeChat Pay or Alipay.
enum PaymentMethod: String, Sendable, CaseIterable {
    case cash
    case bankCard = "bank_card"
    case socialInsurance = "social_insurance"
    case wechatPay = "wechat_pay"
    case alipay

    /// The method a contract enum names; nil for unspecified.
    init?(_ message: Clinic_Billing_V1_PaymentMethod) {
        switch message {
        case .cash: self = .cash
        case .bankCard: self = .bankCard
        case .socialInsurance: self = .socialInsurance
        case .wechatPay: self = .wechatPay
        case .alipay: self = .alipay
        default: return nil
        }
    }

    /// The contract's enum value.
    var message: Clinic_Billing_V1_PaymentMethod {
        switch self {
        case .cash: .cash
        case .bankCard: .bankCard
        case .socialInsurance: .socialInsurance
        case .wechatPay: .wechatPay
        case .alipay: .alipay
        }
    }

    /// What the reference is called for this method, when one is required.
    var requiredReference: String? {
        switch self {
        case .socialInsurance: "the insurer's settlement reference"
        case .wechatPay, .alipay: "the transaction reference"
        case .cash, .bankCard: nil
        }
    }
}

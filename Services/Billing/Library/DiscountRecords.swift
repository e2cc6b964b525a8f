import Foundation

/// A discount posted on a bill: a new row, never an edited line.
struct BillDiscountRecord: Sendable, Equatable {
    var id: UUID
    var billID: UUID
    var source: DiscountSource
    var sourceRef: String
    var percentBP: Int
    var amountFen: Int64
    var reason: String
    var appliedAt: Date
    var appliedBy: String
}

/// A named discount policy.
struct DiscountPolicyRecord: Sendable, Equatable {
    var code: String
    var name: String
    var rule: DiscountRule
    var reason: String
    var createdAt: Date
    var createdBy: String
}

/// A VIP card with the number of bills it was applied to.
struct VipCardRecord: Sendable, Equatable {
    var serial: String
    var holderPatientID: UUID
    var percentBP: Int
    var useCount: Int
    var issuedAt: Date
    var issuedBy: String
}

/// A single-use coupon, with the bill it was redeemed on.
struct CouponRecord: Sendable, Equatable {
    var code: String
    var description: String
    var rule: DiscountRule
    var redeemedBillID: UUID?
    var createdAt: Date
    var createdBy: String
}

import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation

/// Discounts (优惠): named policies, VIP cards and single-use coupons, each posted on a bill as a new row.
extension BillingHandlers {
    /// CreateDiscountPolicy: a named percentage or fixed amount with its reason; ALREADY_EXISTS when the code is taken.
    func createDiscountPolicy(_ context: RequestContext, _ request: Clinic_Billing_V1_CreateDiscountPolicyRequest) throws -> Clinic_Billing_V1_DiscountPolicy {
        let rule = try Self.rule(percentBP: Int(request.percentBp), amountFen: request.amountFen)
        let reason = try Self.cardFree(request.reason, field: "reason")
        let policy = DiscountPolicyRecord(code: request.code, name: request.name.trimmingWhitespace(), rule: rule, reason: reason,
                                          createdAt: Date().inStoredPrecision, createdBy: context.actor)
        return try IdempotentWrite.perform(context, on: db) { db in
            guard try DiscountStore.insert(policy, on: db) else { throw RPCError.alreadyExists("discount policy \(policy.code) exists") }
            logger.info("discount policy created", metadata: ["code": "\(policy.code)", "by": "\(context.actor)"])
            return BillingMessages.policy(policy)
        }
    }

    /// ListDiscountPolicies: every policy, by code.
    func listDiscountPolicies(_ context: RequestContext, _ request: Clinic_Billing_V1_ListDiscountPoliciesRequest) throws -> Clinic_Billing_V1_ListDiscountPoliciesResponse {
        var response = Clinic_Billing_V1_ListDiscountPoliciesResponse()
        response.policies = try DiscountStore.policies(on: db).map(BillingMessages.policy)
        return response
    }

    /// ApplyDiscountPolicy: the policy's discount on the bill, with the reason.
    func applyDiscountPolicy(_ context: RequestContext, _ request: Clinic_Billing_V1_ApplyDiscountPolicyRequest) throws -> Clinic_Billing_V1_Bill {
        let billID = try CheckedID.parse(request.billID, field: "billId")
        let reason = try Self.cardFree(request.reason, field: "reason")
        return try IdempotentWrite.perform(context, on: db) { db in
            guard let policy = try DiscountStore.policies(code: request.policyCode, on: db).first else {
                throw RPCError.notFound("discount policy \(request.policyCode) not found")
            }
            return try postDiscount(on: billID, source: .policy, ref: policy.code, rule: policy.rule,
                                    reason: reason.isEmpty ? policy.reason : reason, context, db)
        }
    }

    /// IssueVipCard: a card for a patient at a percentage; ALREADY_EXISTS when the serial is taken.
    func issueVipCard(_ context: RequestContext, _ request: Clinic_Billing_V1_IssueVipCardRequest) throws -> Clinic_Billing_V1_VipCard {
        let holder = try CheckedID.parse(request.holderPatientID, field: "holderPatientId")
        _ = try Self.rule(percentBP: Int(request.percentBp), amountFen: 0)
        let card = VipCardRecord(serial: request.serial, holderPatientID: holder, percentBP: Int(request.percentBp), useCount: 0,
                                 issuedAt: Date().inStoredPrecision, issuedBy: context.actor)
        return try IdempotentWrite.perform(context, on: db) { db in
            guard try DiscountStore.insert(card, on: db) else { throw RPCError.alreadyExists("VIP card \(card.serial) exists") }
            logger.info("VIP card issued", metadata: ["serial": "\(card.serial)", "by": "\(context.actor)"])
            return BillingMessages.vipCard(card)
        }
    }

    /// GetVipCard: the card with its use count.
    func getVipCard(_ context: RequestContext, _ request: Clinic_Billing_V1_GetVipCardRequest) throws -> Clinic_Billing_V1_VipCard {
        guard let card = try DiscountStore.vipCard(request.serial, on: db) else { throw RPCError.notFound("VIP card \(request.serial) not found") }
        return BillingMessages.vipCard(card)
    }

    /// ApplyVipCard: the card's percentage on one of its holder's bills, once per bill.
    func applyVipCard(_ context: RequestContext, _ request: Clinic_Billing_V1_ApplyVipCardRequest) throws -> Clinic_Billing_V1_Bill {
        let billID = try CheckedID.parse(request.billID, field: "billId")
        let reason = try Self.cardFree(request.reason, field: "reason")
        return try IdempotentWrite.perform(context, on: db) { db in
            guard let card = try DiscountStore.vipCard(request.serial, on: db) else { throw RPCError.notFound("VIP card \(request.serial) not found") }
            guard let bill = try BillStore.find(billID, on: db) else { throw RPCError.notFound("bill \(billID.lowercasedText) not found") }
            guard bill.patientID == card.holderPatientID else {
                throw RPCError.failedPrecondition("VIP card \(card.serial) belongs to another patient than bill \(billID.lowercasedText)'s")
            }
            return try postDiscount(on: billID, source: .vipCard, ref: card.serial, rule: DiscountRule(percentBP: card.percentBP, amountFen: 0),
                                    reason: reason.isEmpty ? "贵宾卡 \(card.serial)" : reason, context, db)
        }
    }

    /// CreateCoupon: a single-use coupon; ALREADY_EXISTS when the code is taken.
    func createCoupon(_ context: RequestContext, _ request: Clinic_Billing_V1_CreateCouponRequest) throws -> Clinic_Billing_V1_Coupon {
        let rule = try Self.rule(percentBP: Int(request.percentBp), amountFen: request.amountFen)
        let coupon = CouponRecord(code: request.code, description: try Self.cardFree(request.description_p, field: "description"), rule: rule,
                                  redeemedBillID: nil, createdAt: Date().inStoredPrecision, createdBy: context.actor)
        return try IdempotentWrite.perform(context, on: db) { db in
            guard try DiscountStore.insert(coupon, on: db) else { throw RPCError.alreadyExists("coupon \(coupon.code) exists") }
            logger.info("coupon created", metadata: ["code": "\(coupon.code)", "by": "\(context.actor)"])
            return BillingMessages.coupon(coupon)
        }
    }

    /// RedeemCoupon: the coupon's discount on the bill; FAILED_PRECONDITION when it was used, also when two uses race.
    func redeemCoupon(_ context: RequestContext, _ request: Clinic_Billing_V1_RedeemCouponRequest) throws -> Clinic_Billing_V1_Bill {
        let billID = try CheckedID.parse(request.billID, field: "billId")
        return try IdempotentWrite.perform(context, on: db) { db in
            guard let coupon = try DiscountStore.coupon(request.code, on: db) else { throw RPCError.notFound("coupon \(request.code) not found") }
            if coupon.redeemedBillID != nil { throw Self.couponUsed(coupon.code) }
            return try postDiscount(on: billID, source: .coupon, ref: coupon.code, rule: coupon.rule,
                                    reason: coupon.description.isEmpty ? "coupon \(coupon.code)" : coupon.description, context, db)
        }
    }

    /// Posts a discount under the bill's lock: the amount from the rule on the bill's lines, refused unless the bill
    /// takes it; FAILED_PRECONDITION when the source was already used.
    private func postDiscount(on billID: UUID, source: DiscountSource, ref: String, rule: DiscountRule, reason: String,
                              _ context: RequestContext, _ db: Connection) throws -> Clinic_Billing_V1_Bill {
        guard try BillStore.lock(billID, on: db) else { throw RPCError.notFound("bill \(billID.lowercasedText) not found") }
        let bill = try storedBill(billID, on: db)
        let amount = rule.amount(onLines: bill.figures.totalFen + bill.figures.discountFen)
        if let refusal = DiscountRule.refusal(amount, on: bill.figures) { throw RPCError.failedPrecondition(refusal) }
        let discount = BillDiscountRecord(id: UUID.random(), billID: billID, source: source, sourceRef: ref, percentBP: rule.percentBP,
                                          amountFen: amount, reason: reason, appliedAt: Date().inStoredPrecision, appliedBy: context.actor)
        guard try DiscountStore.post(discount, on: db) else {
            if source == .coupon { throw Self.couponUsed(ref) }
            throw RPCError.failedPrecondition("\(source.rawValue.replacingOccurrences(of: "_", with: " ")) \(ref) is already applied to bill \(billID.lowercasedText)")
        }
        logger.info("discount posted", metadata: ["bill_id": "\(billID.lowercasedText)", "source": "\(source.rawValue)",
                                                  "amount_fen": "\(amount)", "by": "\(context.actor)"])
        return BillingMessages.bill(try storedBill(billID, on: db))
    }

    /// FAILED_PRECONDITION: a coupon is used once.
    static func couponUsed(_ code: String) -> RPCError { RPCError.failedPrecondition("coupon \(code) was already used") }

    /// A discount rule from the request's fields; INVALID_ARGUMENT saying what is wrong.
    static func rule(percentBP: Int, amountFen: Int64) throws -> DiscountRule {
        switch DiscountRule.validate(percentBP: percentBP, amountFen: amountFen) {
        case .success(let rule): return rule
        case .failure(let problem): throw RPCError.invalidArgument(field: "percentBp", problem.text)
        }
    }

    /// Free text, trimmed; INVALID_ARGUMENT naming the field (never repeating the text) when it holds a card number.
    static func cardFree(_ text: String, field: String) throws -> String {
        if CardNumberGuard.containsCardNumber(text) { throw RPCError.invalidArgument(field: field, "must not contain a bank card number") }
        return text.trimmingWhitespace()
    }
}

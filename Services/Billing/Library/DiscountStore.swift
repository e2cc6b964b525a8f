import ClinicService
import ClinicStore
import Foundation

/// Billing's SQL for discount policies, VIP cards, coupons and the discounts posted on bills. Rows are only
/// inserted; a coupon's single use is the unique index on its redemption row.
enum DiscountStore {
    /// Stores a policy; false when the code is taken.
    static func insert(_ policy: DiscountPolicyRecord, on db: Connection) throws -> Bool {
        try db.execute("""
            INSERT INTO discount_policies (code, name, percent_bp, amount_fen, reason, created_at, created_by)
            VALUES (\(policy.code), \(policy.name), \(policy.rule.percentBP), \(policy.rule.amountFen), \(policy.reason),
                    \(policy.createdAt), \(policy.createdBy))
            ON CONFLICT (code) DO NOTHING
            """) == 1
    }

    /// Every policy, or the one with `code`, by code.
    static func policies(code: String? = nil, on db: Connection) throws -> [DiscountPolicyRecord] {
        try db.query("""
            SELECT code, name, percent_bp, amount_fen, reason, created_at, created_by FROM discount_policies
            WHERE \(code)::text IS NULL OR code = \(code) ORDER BY code
            """).map { row in
            DiscountPolicyRecord(code: try row.decode("code"), name: try row.decode("name"),
                                 rule: DiscountRule(percentBP: try row.decode("percent_bp"), amountFen: try row.decode("amount_fen")),
                                 reason: try row.decode("reason"), createdAt: try row.decode("created_at"), createdBy: try row.decode("created_by"))
        }
    }

    /// Stores a VIP card; false when the serial is taken.
    static func insert(_ card: VipCardRecord, on db: Connection) throws -> Bool {
        try db.execute("""
            INSERT INTO vip_cards (serial, holder_patient_id, percent_bp, issued_at, issued_by)
            VALUES (\(card.serial), \(card.holderPatientID), \(card.percentBP), \(card.issuedAt), \(card.issuedBy))
            ON CONFLICT (serial) DO NOTHING
            """) == 1
    }

    /// The VIP card with `serial` and its use count.
    static func vipCard(_ serial: String, on db: Connection) throws -> VipCardRecord? {
        try db.query("""
            SELECT v.serial, v.holder_patient_id, v.percent_bp, v.issued_at, v.issued_by,
                   (SELECT count(*) FROM bill_discounts d WHERE d.source = 'vip_card' AND d.source_ref = v.serial)::integer AS uses
            FROM vip_cards v WHERE v.serial = \(serial)
            """).first.map { row in
            VipCardRecord(serial: try row.decode("serial"), holderPatientID: try row.decode("holder_patient_id"),
                          percentBP: try row.decode("percent_bp"), useCount: try row.decode("uses"),
                          issuedAt: try row.decode("issued_at"), issuedBy: try row.decode("issued_by"))
        }
    }

    /// Stores a coupon; false when the code is taken.
    static func insert(_ coupon: CouponRecord, on db: Connection) throws -> Bool {
        try db.execute("""
            INSERT INTO coupons (code, description, percent_bp, amount_fen, created_at, created_by)
            VALUES (\(coupon.code), \(coupon.description), \(coupon.rule.percentBP), \(coupon.rule.amountFen), \(coupon.createdAt),
                    \(coupon.createdBy))
            ON CONFLICT (code) DO NOTHING
            """) == 1
    }

    /// The coupon with `code`, with the bill it was redeemed on.
    static func coupon(_ code: String, on db: Connection) throws -> CouponRecord? {
        try db.query("""
            SELECT c.code, c.description, c.percent_bp, c.amount_fen, c.created_at, c.created_by, d.bill_id AS redeemed_bill_id
            FROM coupons c LEFT JOIN bill_discounts d ON d.source = 'coupon' AND d.source_ref = c.code
            WHERE c.code = \(code)
            """).first.map { row in
            CouponRecord(code: try row.decode("code"), description: try row.decode("description"),
                         rule: DiscountRule(percentBP: try row.decode("percent_bp"), amountFen: try row.decode("amount_fen")),
                         redeemedBillID: try row.decode("redeemed_bill_id"), createdAt: try row.decode("created_at"),
                         createdBy: try row.decode("created_by"))
        }
    }

    /// Posts a discount on a bill; false when that source was already used (a coupon anywhere, a policy or card on
    /// this bill): the unique indexes decide, so two racing uses post one row.
    static func post(_ discount: BillDiscountRecord, on db: Connection) throws -> Bool {
        try db.execute("""
            INSERT INTO bill_discounts (id, bill_id, source, source_ref, percent_bp, amount_fen, reason, applied_at, applied_by)
            VALUES (\(discount.id), \(discount.billID), \(discount.source.rawValue), \(discount.sourceRef), \(discount.percentBP),
                    \(discount.amountFen), \(discount.reason), \(discount.appliedAt), \(discount.appliedBy))
            ON CONFLICT DO NOTHING
            """) == 1
    }

    /// A posted discount's columns.
    private static let discountColumns = "id, bill_id, source, source_ref, percent_bp, amount_fen, reason, applied_at, applied_by"

    /// The discounts of `ids`' bills, by bill, oldest first.
    static func discounts(of ids: [UUID], on db: Connection) throws -> [UUID: [BillDiscountRecord]] {
        var found: [UUID: [BillDiscountRecord]] = [:]
        for row in try db.query("""
            SELECT \(raw: discountColumns) FROM bill_discounts WHERE bill_id = ANY(\(ids)) ORDER BY applied_at, id
            """) {
            let discount = try discount(from: row)
            found[discount.billID, default: []].append(discount)
        }
        return found
    }

    /// The statement that reads one bill's discounts, oldest first.
    static func discountsStatement(ofBill id: UUID) -> SQL {
        "SELECT \(raw: discountColumns) FROM bill_discounts WHERE bill_id = \(id) ORDER BY applied_at, id"
    }

    /// A posted discount's row as a record.
    static func discount(from row: Row) throws -> BillDiscountRecord {
        BillDiscountRecord(
            id: try row.decode("id"), billID: try row.decode("bill_id"),
            source: DiscountSource(rawValue: try row.decode("source")) ?? .policy, sourceRef: try row.decode("source_ref"),
            percentBP: try row.decode("percent_bp"), amountFen: try row.decode("amount_fen"), reason: try row.decode("reason"),
            appliedAt: try row.decode("applied_at"), appliedBy: try row.decode("applied_by"))
    }
}

@testable import Billing
import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import Testing

/// The daily close, anomalies, corrections and discounts on the real bus and database.
@Suite("Daily close, corrections and discounts", .serialized)
struct DailyCloseTests {
    typealias Close = Clinic_Billing_V1_DailyClose
    typealias Cashier = Clinic_Billing_V1_Cashier

    @Test func theDayClosesOnlyOnceEveryMethodIsCountedAndThenRefusesPayments() async throws {
        let harness = try BillingHarness()
        defer { harness.stop() }
        try await harness.feeItem("FILL-01", fen: 10_000)
        let paid = try await harness.paidBill(["FILL-01"])
        let open = try await harness.bill(["FILL-01"])
        let db = try harness.database()
        defer { db.close() }
        var get = Clinic_Billing_V1_GetDailyCloseRequest()
        get.date = ClinicClock(timeZone: ServiceSettings.defaultTimeZone).today().description
        let sheet = try await harness.call(Close.getDailyClose, get)
        #expect(sheet.methods.map(\.method) == [.cash] && sheet.methods[0].systemFen == 10_000 && !sheet.methods[0].counted)
        var close = Clinic_Billing_V1_CloseDayRequest()
        close.date = get.date
        let refused = await harness.failure(Close.closeDay, close, as: [.supervisor])
        #expect(refused?.code == .failedPrecondition && refused?.message.contains("cash") == true)
        #expect(await harness.failure(Close.closeDay, close, as: [.cashier])?.code == .permissionDenied)
        var count = Clinic_Billing_V1_RecordCountRequest()
        count.date = get.date
        count.method = .cash
        count.countedFen = 9_500
        count.note = "少 5 元"
        let counted = try await harness.call(Close.recordCount, count)
        #expect(counted.methods[0].differenceFen == -500 && counted.methods[0].counts == 1)
        count.countedFen = 10_000
        let recounted = try await harness.call(Close.recordCount, count)
        #expect(recounted.methods[0].differenceFen == 0 && recounted.methods[0].counts == 2)
        let closed = try await harness.call(Close.closeDay, close, as: [.supervisor])
        #expect(closed.closed && !closed.closedBy.isEmpty)
        #expect(try db.query("SELECT count(*) AS n FROM outbox WHERE type = 'clinic.billing.v1.DayClosed'").first?.decode("n", as: Int.self) == 1)
        // Payments and voids of the closed day are refused; a correction is still taken.
        let late = await harness.failure(Cashier.recordPayment, payment(open.id, .cash, fen: 1_000), idempotencyKey: newKey())
        #expect(late?.code == .failedPrecondition && late?.message.contains("closed") == true)
        var void = Clinic_Billing_V1_VoidBillRequest()
        void.billID = open.id
        void.reason = "重复"
        #expect(await harness.failure(Cashier.voidBill, void)?.code == .failedPrecondition)
        var correction = Clinic_Billing_V1_RequestCorrectionRequest()
        correction.entry = .payment
        correction.entryID = paid.payments[0].id
        correction.patientID = paid.patientID
        correction.reason = "收款方式录错"
        correction.whatWasWrong = "记为现金"
        correction.fix = "应为微信"
        let requested = try await harness.call(Clinic_Billing_V1_Corrections.requestCorrection, correction)
        #expect(!requested.countersigned)
        // Countersigned by another supervisor, never by the one who asked.
        var sign = Clinic_Billing_V1_CountersignCorrectionRequest()
        sign.correctionID = requested.id
        #expect(await harness.failure(Clinic_Billing_V1_Corrections.countersignCorrection, sign, as: [.supervisor])?.code == .permissionDenied)
        let signed = try await harness.call(Clinic_Billing_V1_Corrections.countersignCorrection, sign, as: [.director], member: "director-02")
        #expect(signed.countersigned && signed.countersignedBy != signed.requestedBy)
        var bill = Clinic_Billing_V1_GetBillRequest()
        bill.billID = paid.id
        #expect(try await harness.call(Cashier.getBill, bill).payments[0].corrected)
        for statement: SQL in ["DELETE FROM corrections", "UPDATE day_closes SET note = 'x'", "DELETE FROM daily_counts"] {
            #expect(throws: StoreError.self) { try db.execute(statement) }
        }

        // An anomaly is escalated to the supervisor.
        var anomaly = Clinic_Billing_V1_RecordAnomalyRequest()
        anomaly.kind = .failedPayment
        anomaly.billID = open.id
        anomaly.amountFen = 10_000
        anomaly.description_p = "POS 扣款失败"
        _ = try await harness.call(Close.recordAnomaly, anomaly)
        #expect(await harness.failure(Close.listAnomalies, Clinic_Billing_V1_ListAnomaliesRequest())?.code == .permissionDenied)
        #expect(try await harness.call(Close.listAnomalies, Clinic_Billing_V1_ListAnomaliesRequest(), as: [.supervisor]).anomalies.count == 1)
        #expect(try db.query("SELECT count(*) AS n FROM outbox WHERE type = 'clinic.billing.v1.AnomalyRecorded'").first?.decode("n", as: Int.self) == 1)
    }

    @Test func discountsArePostedAsRowsAndACouponIsUsedOnceEvenWhenUsesRace() async throws {
        typealias Discounts = Clinic_Billing_V1_Discounts
        let harness = try BillingHarness()
        defer { harness.stop() }
        try await harness.feeItem("CLEAN-1", fen: 20_000)
        let bill = try await harness.bill(["CLEAN-1"])
        var policy = Clinic_Billing_V1_CreateDiscountPolicyRequest()
        policy.code = "SENIOR-10"
        policy.name = "老年人九折"
        policy.percentBp = 1_000
        policy.reason = "敬老优惠"
        #expect(await harness.failure(Discounts.createDiscountPolicy, policy, as: [.cashier])?.code == .permissionDenied)
        _ = try await harness.call(Discounts.createDiscountPolicy, policy, as: [.director])
        var apply = Clinic_Billing_V1_ApplyDiscountPolicyRequest()
        apply.billID = bill.id
        apply.policyCode = "SENIOR-10"
        apply.reason = "患者 70 岁"
        let discounted = try await harness.call(Discounts.applyDiscountPolicy, apply)
        #expect(discounted.totalFen == 18_000 && discounted.discountFen == 2_000 && discounted.lines[0].lineTotalFen == 20_000)
        #expect(discounted.discounts.first?.source == .policy && discounted.discounts.first?.reason == "患者 70 岁")

        // A VIP card: the director issues it, a supervisor applies it; its uses are counted.
        var card = Clinic_Billing_V1_IssueVipCardRequest()
        card.serial = "VIP-000123"
        card.holderPatientID = bill.patientID
        card.percentBp = 500
        #expect(await harness.failure(Discounts.issueVipCard, card, as: [.supervisor])?.code == .permissionDenied)
        _ = try await harness.call(Discounts.issueVipCard, card, as: [.director])
        var vip = Clinic_Billing_V1_ApplyVipCardRequest()
        vip.billID = bill.id
        vip.serial = "VIP-000123"
        #expect(await harness.failure(Discounts.applyVipCard, vip, as: [.cashier])?.code == .permissionDenied)
        #expect(try await harness.call(Discounts.applyVipCard, vip, as: [.supervisor]).totalFen == 17_000)
        var getCard = Clinic_Billing_V1_GetVipCardRequest()
        getCard.serial = "VIP-000123"
        #expect(try await harness.call(Discounts.getVipCard, getCard).useCount == 1)

        // A coupon larger than the balance is refused; one that fits is used once, however many try at once.
        var big = Clinic_Billing_V1_CreateCouponRequest()
        big.code = "BIG-1"
        big.description_p = "大额券"
        big.amountFen = 17_001
        _ = try await harness.call(Discounts.createCoupon, big, as: [.supervisor])
        var redeem = Clinic_Billing_V1_RedeemCouponRequest()
        redeem.billID = bill.id
        redeem.code = "BIG-1"
        #expect(await harness.failure(Discounts.redeemCoupon, redeem)?.code == .failedPrecondition)
        var clean = Clinic_Billing_V1_CreateCouponRequest()
        clean.code = "CLEAN-2026-0001"
        clean.description_p = "洁牙券"
        clean.amountFen = 5_000
        _ = try await harness.call(Discounts.createCoupon, clean, as: [.admin])
        let others = try await [harness.bill(["CLEAN-1"]), harness.bill(["CLEAN-1"]), harness.bill(["CLEAN-1"]), harness.bill(["CLEAN-1"])]
        let outcomes = await withTaskGroup(of: RPCError?.self) { group in
            for target in others + [bill] {
                var request = Clinic_Billing_V1_RedeemCouponRequest()
                request.billID = target.id
                request.code = "CLEAN-2026-0001"
                let copy = request
                group.addTask { await harness.failure(Discounts.redeemCoupon, copy) }
            }
            return await group.reduce(into: [RPCError?]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == nil }.count == 1)
        #expect(outcomes.compactMap { $0 }.allSatisfy { $0.code == .failedPrecondition })

        // Only an open or partly paid bill takes a discount, and a paid one does not.
        let paid = try await harness.paidBill(["CLEAN-1"])
        apply.billID = paid.id
        #expect(await harness.failure(Discounts.applyDiscountPolicy, apply)?.code == .failedPrecondition)
        let db = try harness.database()
        defer { db.close() }
        #expect(throws: StoreError.self) { try db.execute("UPDATE bill_discounts SET amount_fen = 1") }
    }

    @Test func theSheetAndTheDiscountRuleArePure() {
        let sheet = DailyCloseSheet(date: ClinicDate(year: 2026, month: 7, day: 1),
                                    activity: [.cash: MethodActivity(paymentsFen: 10_000, refundsFen: 2_000),
                                               .alipay: MethodActivity(paymentsFen: 5_000, refundsFen: 0)],
                                    counts: [CountRecord(method: .cash, countedFen: 8_100, systemFen: 8_000, note: "", countedAt: Date(), countedBy: "a")],
                                    close: nil)
        #expect(sheet.uncounted == [.alipay])
        #expect(sheet.lines.first?.differenceFen == 100)
        #expect(DiscountRule(percentBP: 1_250, amountFen: 0).amount(onLines: 10_001) == 1_250)
        let figures = BillFigures(lines: [BillFigures.Line(quantity: 1, unitPriceFen: 10_000, discountFen: 0)], discounts: [3_000],
                                  payments: [7_000], voided: false)
        #expect(figures.totalFen == 7_000 && figures.status == .paid)
        #expect(DiscountRule.refusal(1, on: figures) != nil)
        #expect(RefundLimit.refundable(paidFen: 10_000, committedFen: 12_000) == 0)
    }
}

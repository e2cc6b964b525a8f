@testable import Billing
import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import Foundation
import Testing

/// Billing's definition against its contract, and its pure rules.
@Suite("Billing service")
struct BillingServiceTests {
    @Test func everyContractRpcHasAHandler() throws {
        let harness = try BillingHarness()
        defer { harness.stop() }
        let db = try harness.database()
        defer { db.close() }
        let routes = try BillingService.definition().routes(db: db, environment: ServiceEnvironment(timeZone: .gmt, logger: BillingHarness.logger))
        #expect(routes.registeredMethods == BillingService.contractMethods)
    }

    @Test func aCardNumberIsFoundHoweverItIsWritten() {
        #expect(CardNumberGuard.containsCardNumber("6222021234567890"))
        #expect(CardNumberGuard.containsCardNumber("POS 6222 0212 3456 7890 ok"))
        #expect(CardNumberGuard.containsCardNumber("4111-1111-1111-1111"))
        #expect(!CardNumberGuard.containsCardNumber("4200001234202607010123456789"))
        #expect(!CardNumberGuard.containsCardNumber("SI-2026-000123"))
        #expect(!CardNumberGuard.containsCardNumber("12345678901"))
    }

    @Test func cashGivesChangeAndEveryOtherMethodNamesWhatItLacks() throws {
        let draft = PaymentDraft(method: .cash, amountFen: 3_000, tenderedFen: 5_000, cardKind: "", cardLast4: "", reference: "", note: "")
        #expect(try PaymentRules.validate(draft).get().changeFen == 2_000)
        var wallet = draft
        wallet.method = .alipay
        guard case .failure(let problems) = PaymentRules.validate(wallet) else { Issue.record("accepted"); return }
        #expect(problems.violations.map(\.field) == ["tenderedFen", "reference"])
    }

    @Test func aBillsStatusFollowsItsPayments() {
        let lines = [BillFigures.Line(quantity: 2, unitPriceFen: 5_000, discountFen: 1_000)]
        #expect(BillFigures(lines: lines, payments: [], voided: false).status == .open)
        #expect(BillFigures(lines: lines, payments: [4_000], voided: false).status == .partlyPaid)
        #expect(BillFigures(lines: lines, payments: [4_000, 5_000], voided: false) == BillFigures(totalFen: 9_000, paidFen: 9_000, balanceFen: 0, unresolvedLines: 0, status: .paid))
        #expect(BillFigures(lines: lines, payments: [], voided: true).status == .void)
    }
}

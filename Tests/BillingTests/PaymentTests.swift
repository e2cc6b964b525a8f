@testable import Billing
import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import SwiftProtobuf
import Testing

/// Payments by every method, their rules, retries and receipts.
@Suite("Payments", .serialized)
struct PaymentTests {
    typealias Cashier = Clinic_Billing_V1_Cashier

    @Test func everyMethodKeepsItsRules() async throws {
        let harness = try BillingHarness()
        defer { harness.stop() }
        try await harness.feeItem("IMPLANT-1", fen: 1_000_000)
        let bill = try await harness.bill(["IMPLANT-1"])

        // A payment needs an idempotency key.
        let keyless = await harness.failure(Cashier.recordPayment, payment(bill.id, .cash, fen: 100))
        #expect(keyless?.code == .invalidArgument && keyless?.violations.map(\.field) == ["idempotencyKey"])

        // Cash: the change is recorded; too little handed over is refused.
        var cash = payment(bill.id, .cash, fen: 30_000)
        cash.tenderedFen = 20_000
        #expect(await harness.failure(Cashier.recordPayment, cash, idempotencyKey: newKey())?.violations.map(\.field) == ["tenderedFen"])
        cash.tenderedFen = 50_000
        let paidCash = try await harness.call(Cashier.recordPayment, cash, idempotencyKey: newKey())
        #expect(paidCash.payment.changeFen == 20_000 && paidCash.payment.tenderedFen == 50_000)
        #expect(paidCash.bill.status == .partlyPaid && paidCash.bill.balanceFen == 970_000)

        // A bank card: its kind and last four digits, never more.
        var card = payment(bill.id, .bankCard, fen: 100_000)
        #expect(Set(await harness.failure(Cashier.recordPayment, card, idempotencyKey: newKey())?.violations.map(\.field) ?? [])
                == ["cardKind", "cardLast4"])
        card.cardKind = .credit
        card.cardLast4 = "12a4"
        #expect(await harness.failure(Cashier.recordPayment, card, idempotencyKey: newKey())?.violations.map(\.field) == ["cardLast4"])
        card.cardLast4 = "4321"
        let paidCard = try await harness.call(Cashier.recordPayment, card, idempotencyKey: newKey())
        #expect(paidCard.payment.cardKind == .credit && paidCard.payment.cardLast4 == "4321")
        var cardOnCash = payment(bill.id, .cash, fen: 100)
        cardOnCash.cardLast4 = "4321"
        #expect(await harness.failure(Cashier.recordPayment, cardOnCash, idempotencyKey: newKey())?.violations.map(\.field) == ["cardLast4"])

        // Social insurance and the mobile wallets need their reference.
        for method in [Clinic_Billing_V1_PaymentMethod.socialInsurance, .wechatPay, .alipay] {
            var request = payment(bill.id, method, fen: 10_000)
            #expect(await harness.failure(Cashier.recordPayment, request, idempotencyKey: newKey())?.violations.map(\.field) == ["reference"])
            request.reference = "\(method)-4200001234202607010123456789"
            let paid = try await harness.call(Cashier.recordPayment, request, idempotencyKey: newKey())
            #expect(paid.payment.reference == request.reference && paid.payment.method == method)
        }

        // Never more than the balance, which the refusal names.
        var get = Clinic_Billing_V1_GetBillRequest()
        get.billID = bill.id
        let balance = try await harness.call(Cashier.getBill, get).balanceFen
        #expect(balance == 840_000)
        let over = await harness.failure(Cashier.recordPayment, payment(bill.id, .cash, fen: balance + 1), idempotencyKey: newKey())
        #expect(over?.code == .failedPrecondition && over?.message.contains("\(balance) fen") == true)
        var last = payment(bill.id, .wechatPay, fen: balance)
        last.reference = "4200009999202607019999999999"
        let settled = try await harness.call(Cashier.recordPayment, last, idempotencyKey: newKey())
        #expect(settled.bill.status == .paid && settled.bill.balanceFen == 0 && settled.receipt.balanceFen == 0)
        #expect(settled.bill.payments.count == 6 && settled.bill.payments.allSatisfy { !$0.receiptNumber.isEmpty && !$0.receivedBy.isEmpty })
        #expect(await harness.failure(Cashier.recordPayment, payment(bill.id, .cash, fen: 1), idempotencyKey: newKey())?.code == .failedPrecondition)

        // Events: a PaymentReceived per payment and one BillPaid.
        let db = try harness.database()
        defer { db.close() }
        let counts = try db.query("SELECT type, count(*) AS n FROM outbox GROUP BY type").reduce(into: [String: Int]()) {
            $0[try $1.decode("type")] = try $1.decode("n")
        }
        #expect(counts["clinic.billing.v1.PaymentReceived"] == 6 && counts["clinic.billing.v1.BillPaid"] == 1)
        #expect(await harness.failure(Cashier.recordPayment, last, as: [.desk], idempotencyKey: newKey())?.code == .permissionDenied)
    }

    @Test func aCardNumberIsRefusedAndNeverStoredOrLogged() async throws {
        let harness = try BillingHarness()
        defer { harness.stop() }
        try await harness.feeItem("FILL-01", fen: 10_000)
        let bill = try await harness.bill(["FILL-01"])
        let cardNumbers = ["6222021234567890123", "6222 0212 3456 7890", "4111-1111-1111-1111"]
        for number in cardNumbers {
            var request = payment(bill.id, .bankCard, fen: 1_000)
            request.cardKind = .debit
            request.cardLast4 = "0123"
            request.reference = "POS \(number)"
            let refused = await harness.failure(Cashier.recordPayment, request, idempotencyKey: newKey())
            #expect(refused?.code == .invalidArgument && refused?.violations.map(\.field) == ["reference"])
            #expect(!(refused.map { "\($0)\($0.violations)" } ?? "").contains(number))
            request.reference = ""
            request.note = "卡号 \(number)"
            #expect(await harness.failure(Cashier.recordPayment, request, idempotencyKey: newKey())?.violations.map(\.field) == ["note"])
        }
        // The whole number where the last four digits go is refused by the contract, without repeating it.
        var whole = payment(bill.id, .bankCard, fen: 1_000)
        whole.cardKind = .debit
        whole.cardLast4 = cardNumbers[0]
        let wrongField = await harness.failure(Cashier.recordPayment, whole, idempotencyKey: newKey())
        #expect(wrongField?.violations.map(\.field) == ["cardLast4"])
        #expect(!(wrongField.map { "\($0)\($0.violations)" } ?? "").contains(cardNumbers[0]))
        var void = Clinic_Billing_V1_VoidBillRequest()
        void.billID = bill.id
        void.reason = "card 6222021234567890"
        #expect(await harness.failure(Cashier.voidBill, void)?.violations.map(\.field) == ["reason"])
        // A wallet's 28-digit transaction number is not a card number.
        var wallet = payment(bill.id, .wechatPay, fen: 1_000)
        wallet.reference = "4200001234202607010123456789"
        _ = try await harness.call(Cashier.recordPayment, wallet, idempotencyKey: newKey())

        let db = try harness.database()
        defer { db.close() }
        let digits = cardNumbers.map { $0.filter(\.isNumber) }
        for table in ["payments", "bills", "bill_lines", "bill_voids", "receipts", "outbox", "idempotency_keys"] {
            let exists = try db.query("SELECT to_regclass(\(table)) IS NOT NULL AS present").first?.decode("present", as: Bool.self) ?? false
            guard exists else { continue }
            let dump = try db.query("SELECT coalesce(string_agg(t::text, ' '), '') AS dump FROM \(identifier: table) t").first?
                .decode("dump", as: String.self) ?? ""
            let flat = dump.filter(\.isNumber)
            for number in digits { #expect(!flat.contains(number), "\(table) holds a card number") }
        }
        let logged = harness.logs.text
        #expect(!logged.isEmpty)
        for number in cardNumbers + digits { #expect(!logged.contains(number)) }
    }

    @Test func sixteenCopiesOfOnePaymentPayOnceWithOneReply() async throws {
        let harness = try BillingHarness()
        defer { harness.stop() }
        try await harness.feeItem("FILL-01", fen: 10_000)
        let bill = try await harness.bill(["FILL-01"])
        var request = payment(bill.id, .cash, fen: 4_000)
        request.tenderedFen = 5_000
        let key = newKey()
        let copy = request
        let replies = try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<16 {
                group.addTask { try await harness.call(Cashier.recordPayment, copy, idempotencyKey: key).serializedBytes() }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(replies.count == 16 && Set(replies).count == 1)
        var get = Clinic_Billing_V1_GetBillRequest()
        get.billID = bill.id
        let after = try await harness.call(Cashier.getBill, get)
        #expect(after.payments.count == 1 && after.paidFen == 4_000 && after.balanceFen == 6_000)
        let db = try harness.database()
        defer { db.close() }
        #expect(try db.query("SELECT count(*) AS n FROM receipts").first?.decode("n", as: Int.self) == 1)
    }

    @Test func twoHundredPaymentsAtOnceGetReceiptsOneToTwoHundred() async throws {
        let harness = try BillingHarness()
        defer { harness.stop() }
        let db = try harness.database()
        defer { db.close() }
        let ids = try (0..<200).map { _ in
            let id = UUID()
            try BillStore.insert(NewBill(id: id, patientID: UUID(), patientName: "", visitID: UUID(), doctorName: "",
                                         serviceDate: ClinicDate(year: 2026, month: 1, day: 1),
                                         lines: [NewBillLine.priced(PricedItem(code: "FILL-01", name: "充填", category: .treatment,
                                                                                unitPriceFen: 10_000), quantity: 1)],
                                         createdAt: Date().inStoredPrecision, createdBy: "test"), on: db)
            return id.lowercasedText
        }
        let receipts = try await withThrowingTaskGroup(of: Clinic_Billing_V1_Receipt.self) { group in
            for id in ids {
                group.addTask { try await harness.call(Cashier.recordPayment, payment(id, .cash, fen: 10_000), idempotencyKey: newKey()).receipt }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(receipts.map(\.number).sorted() == Array(1...200))
        #expect(Set(receipts.map(\.series)).count == 1)
        #expect(receipts.allSatisfy { $0.totalFen == 10_000 && $0.paidTodayFen == 10_000 && $0.treatmentFeeFen == 10_000 && $0.balanceFen == 0 && !$0.copy })
        #expect(try db.query("SELECT count(*) AS n FROM outbox WHERE type = 'clinic.billing.v1.BillPaid'").first?.decode("n", as: Int.self) == 200)
    }

    @Test func paymentsRacingOnOneBillNeverPayMoreThanItsTotalAndTheRefusedTakeNoNumber() async throws {
        let harness = try BillingHarness()
        defer { harness.stop() }
        try await harness.feeItem("FILL-01", fen: 10_000)
        let bill = try await harness.bill(["FILL-01"])
        // Twelve payments of ¥10 on a ¥100 bill at once: ten are taken, two refused for the balance.
        let refusals = await withTaskGroup(of: RPCError?.self) { group in
            for _ in 0..<12 {
                group.addTask { await harness.failure(Cashier.recordPayment, payment(bill.id, .cash, fen: 1_000), idempotencyKey: newKey()) }
            }
            return await group.reduce(into: []) { $0.append($1) }.compactMap { $0 }
        }
        #expect(refusals.count == 2 && refusals.allSatisfy { $0.code == .failedPrecondition && $0.message.contains("balance") })
        var get = Clinic_Billing_V1_GetBillRequest()
        get.billID = bill.id
        let after = try await harness.call(Cashier.getBill, get)
        #expect(after.payments.count == 10 && after.paidFen == 10_000 && after.balanceFen == 0 && after.status == .paid)
        // The numbers run 1…10: the two refused took none.
        #expect(after.payments.map { String($0.receiptNumber.suffix(6)) }.sorted() == (1...10).map { String(format: "%06d", $0) })
        let db = try harness.database()
        defer { db.close() }
        #expect(try db.query("SELECT count(*) AS n FROM outbox WHERE type = 'clinic.billing.v1.BillPaid'").first?.decode("n", as: Int.self) == 1)
    }

    @Test func theEventsCarryTheReceiptNumberTakenInThePaymentsLastStatementAndKeepTheirOrder() async throws {
        let harness = try BillingHarness()
        defer { harness.stop() }
        try await harness.feeItem("FILL-01", fen: 10_000)
        let bill = try await harness.bill(["FILL-01"])
        var wechat = payment(bill.id, .wechatPay, fen: 4_000)
        wechat.reference = "wx-1"
        let part = try await harness.call(Cashier.recordPayment, wechat, idempotencyKey: newKey())
        let rest = try await harness.call(Cashier.recordPayment, payment(bill.id, .cash, fen: 6_000), idempotencyKey: newKey())
        #expect(part.receipt.displayNumber.hasSuffix("-000001") && rest.receipt.displayNumber.hasSuffix("-000002"))
        #expect(rest.payment.receiptNumber == rest.receipt.displayNumber && rest.receipt.number == 2)
        #expect(rest.bill.payments.map(\.receiptNumber) == [part.receipt.displayNumber, rest.receipt.displayNumber])
        let db = try harness.database()
        defer { db.close() }
        let events = try db.query("SELECT type, payload FROM outbox ORDER BY id").map {
            (try $0.decode("type", as: String.self), try $0.decode("payload", as: [UInt8].self))
        }.filter { $0.0 != "clinic.billing.v1.BillCreated" }
        #expect(events.map(\.0) == ["clinic.billing.v1.PaymentReceived", "clinic.billing.v1.PaymentReceived", "clinic.billing.v1.BillPaid"])
        let received = try events.prefix(2).map { try Clinic_Billing_V1_PaymentReceived(serializedBytes: $0.1) }
        #expect(received.map(\.receiptNumber) == [part.receipt.displayNumber, rest.receipt.displayNumber])
        #expect(received[0].paymentID == part.payment.id && received[0].method == .wechatPay && received[0].amountFen == 4_000
            && received[0].balanceFen == 6_000 && received[1].balanceFen == 0 && received[1].receivedAt == rest.payment.receivedAt)
    }

    @Test func theSQLThatNumbersTheEventAgreesWithSwift() throws {
        let harness = try BillingHarness()
        defer { harness.stop() }
        let db = try harness.database()
        defer { db.close() }
        for number: Int64 in [1, 17, 999_999, 1_000_000, 123_456_789] {
            #expect(try db.query("SELECT receipt_display_number(\("2026"), \(number)) AS d").first?.decode("d", as: String.self)
                == ReceiptRecord.display(series: "2026", number: number))
        }
        var event = Clinic_Billing_V1_PaymentReceived()
        event.paymentID = UUID().lowercasedText
        event.amountFen = 123_456
        event.method = .alipay
        event.receivedAt = Google_Protobuf_Timestamp(seconds: 1_800_000_000, nanos: 5_000)
        // Long and multi-byte, so that the length takes two varint bytes.
        for value in ["2026-000017", String(repeating: "收据", count: 40)] {
            let encoded: [UInt8] = try event.serializedBytes()
            let payload = try db.query("""
                SELECT protobuf_with_string(\(encoded), \(BillingEvents.receiptNumberField), \(value)) AS p
                """).first?.decode("p", as: [UInt8].self) ?? []
            var expected = event
            expected.receiptNumber = value
            #expect(try Clinic_Billing_V1_PaymentReceived(serializedBytes: payload) == expected)
        }
        for value: Int64 in [0, 1, 127, 128, 300, 16_383, 16_384, 1 << 35] {
            var message = Clinic_Billing_V1_PaymentReceived()
            message.amountFen = value
            // amount_fen is field 6, a varint: its key is 0x30.
            let encoded = try db.query("SELECT protobuf_varint(\(value)) AS v").first?.decode("v", as: [UInt8].self) ?? []
            let swift: [UInt8] = try message.serializedBytes()
            #expect(value == 0 ? encoded == [0] : [0x30] + encoded == swift)
        }
    }

    @Test func aReceiptStatesTotalPaidTodayAndBalanceAndReprintsAsACopy() async throws {
        let harness = try BillingHarness()
        defer { harness.stop() }
        try await harness.feeItem("CROWN-1", fen: 300_000)
        let bill = try await harness.bill(["CROWN-1"])
        let first = try await harness.call(Cashier.recordPayment, payment(bill.id, .cash, fen: 100_000), idempotencyKey: newKey())
        var card = payment(bill.id, .bankCard, fen: 50_000)
        card.cardKind = .debit
        card.cardLast4 = "8888"
        let second = try await harness.call(Cashier.recordPayment, card, idempotencyKey: newKey())
        #expect(second.receipt.number == first.receipt.number + 1)
        #expect(second.receipt.totalFen == 300_000 && second.receipt.paidBeforeFen == 100_000)
        #expect(second.receipt.paidTodayFen == 50_000 && second.receipt.treatmentFeeFen == 50_000 && second.receipt.balanceFen == 150_000)
        #expect(second.receipt.displayNumber == "\(second.receipt.series)-\(String(format: "%06d", second.receipt.number))")
        var get = Clinic_Billing_V1_GetReceiptRequest()
        get.receiptID = second.receipt.id
        var reprint = try await harness.call(Cashier.getReceipt, get)
        #expect(reprint.copy)
        reprint.copy = false
        #expect(reprint == second.receipt)
        let listed = try await harness.call(Cashier.listReceipts, Clinic_Billing_V1_ListReceiptsRequest())
        #expect(listed.receipts.map(\.id) == [first.receipt.id, second.receipt.id])
    }
}

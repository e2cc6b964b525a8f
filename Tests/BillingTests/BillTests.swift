@testable import Billing
import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import SwiftProtobuf
import Testing

/// Bills: from reception's TreatmentCompleted on the real bus, by the cashier, their figures, resolution and voids.
@Suite("Bills", .serialized)
struct BillTests {
    typealias Cashier = Clinic_Billing_V1_Cashier

    /// A TreatmentCompleted as reception publishes it.
    func treatmentCompleted(codes: [[String]], at: Date) -> Clinic_Reception_V1_TreatmentCompleted {
        var event = Clinic_Reception_V1_TreatmentCompleted()
        event.visitID = UUID().uuidString.lowercased()
        event.patientID = UUID().uuidString.lowercased()
        event.patientName = "孙复诊"
        event.doctorName = "钱医生"
        event.treatments = codes.map { fees in
            var treatment = Clinic_Reception_V1_Treatment()
            treatment.kind = .filling
            treatment.teeth = [36]
            treatment.feeCodes = fees
            return treatment
        }
        event.completedAt = Google_Protobuf_Timestamp(date: at)
        event.recordedBy = "staff:doctor"
        return event
    }

    /// The bills of a visit.
    func bills(of visitID: String, _ harness: BillingHarness) async throws -> [Clinic_Billing_V1_Bill] {
        var list = Clinic_Billing_V1_ListBillsRequest()
        list.visitID = visitID
        return try await harness.call(Cashier.listBills, list).bills
    }

    @Test func aTreatmentDoneAtReceptionBecomesOneBillPricedOnItsDay() async throws {
        let harness = try BillingHarness()
        defer { harness.stop() }
        // The filling cost 100 yuan until the end of June 2025, 120 since.
        try await harness.feeItem("FILL-01", name: "树脂充填", fen: 10_000, from: "2020-01-01")
        var change = Clinic_Billing_V1_SetFeePriceRequest()
        change.code = "FILL-01"
        change.unitPriceFen = 12_000
        change.activeFrom = "2025-07-01"
        _ = try await harness.call(Clinic_Billing_V1_FeeSchedule.setFeePrice, change, as: [.director])
        try await harness.feeItem("XRAY-01", name: "根尖片", category: .examination, fen: 5_000)

        // Treated on 15 June 2025 (Shanghai), billed now: the June price; an unknown code kept for the cashier.
        let treatedAt = ISO8601DateFormatter().date(from: "2025-06-15T02:00:00Z")!
        let event = treatmentCompleted(codes: [["FILL-01", "XRAY-01"], ["WHITEN-9"]], at: treatedAt)
        try harness.publish(event)
        try harness.publish(event)
        var found: [Clinic_Billing_V1_Bill] = []
        #expect(try await eventually { found = try await bills(of: event.visitID, harness); return !found.isEmpty })
        let db = try harness.database()
        defer { db.close() }
        #expect(try await eventually { try EventCheckpoint.lastApplied(publisher: "reception", on: db) == 2 })
        found = try await bills(of: event.visitID, harness)
        #expect(found.count == 1)
        let bill = try #require(found.first)
        #expect(bill.serviceDate == "2025-06-15")
        #expect(bill.patientID == event.patientID && bill.doctorName == "钱医生")
        #expect(bill.lines.map(\.itemCode) == ["FILL-01", "XRAY-01", "WHITEN-9"])
        #expect(bill.lines.map(\.unitPriceFen) == [10_000, 5_000, 0])
        #expect(bill.lines.map(\.unresolved) == [false, false, true])
        #expect(bill.lines[1].category == .examination && bill.lines[0].itemName == "树脂充填")
        #expect(bill.totalFen == 15_000 && bill.balanceFen == 15_000 && bill.status == .open && bill.unresolvedLines == 1)
        #expect(try db.query("SELECT count(*) AS n FROM outbox WHERE type = 'clinic.billing.v1.BillCreated'").first?.decode("n", as: Int.self) == 1)

        // No payment while a line waits for its code; the cashier resolves it with a new line.
        let early = await harness.failure(Cashier.recordPayment, payment(bill.id, .cash, fen: 1_000), idempotencyKey: newKey())
        #expect(early?.code == .failedPrecondition)
        var resolve = Clinic_Billing_V1_ResolveBillLineRequest()
        resolve.billID = bill.id
        resolve.lineNumber = 1
        resolve.feeCode = "XRAY-01"
        #expect(await harness.failure(Cashier.resolveBillLine, resolve)?.code == .failedPrecondition)
        resolve.lineNumber = 3
        resolve.feeCode = "NOPE-1"
        #expect(await harness.failure(Cashier.resolveBillLine, resolve)?.violations.map(\.field) == ["feeCode"])
        resolve.feeCode = "XRAY-01"
        resolve.quantity = 2
        let resolved = try await harness.call(Cashier.resolveBillLine, resolve)
        #expect(resolved.lines.count == 4)
        #expect(resolved.lines[2].resolvedByLineNumber == 4 && resolved.lines[2].unresolved)
        #expect(resolved.lines[3].resolvesLineNumber == 3 && resolved.lines[3].lineTotalFen == 10_000)
        #expect(resolved.totalFen == 25_000 && resolved.unresolvedLines == 0)
        #expect(await harness.failure(Cashier.resolveBillLine, resolve)?.code == .failedPrecondition)

        // A visit's bill is made once: the cashier is told which bill it has.
        var again = Clinic_Billing_V1_CreateBillRequest()
        again.patientID = event.patientID
        again.visitID = event.visitID
        var line = Clinic_Billing_V1_BillLineRequest()
        line.feeCode = "FILL-01"
        again.lines = [line]
        let duplicate = await harness.failure(Cashier.createBill, again)
        #expect(duplicate?.code == .alreadyExists && duplicate?.message.contains(bill.id) == true)
    }

    @Test func theCashiersBillChecksItsCodesAndDiscounts() async throws {
        let harness = try BillingHarness()
        defer { harness.stop() }
        try await harness.feeItem("FILL-01", fen: 10_000)
        var request = Clinic_Billing_V1_CreateBillRequest()
        request.patientID = UUID().uuidString.lowercased()
        var fill = Clinic_Billing_V1_BillLineRequest()
        fill.feeCode = "FILL-01"
        fill.quantity = 2
        fill.discountFen = 25_000
        var unknown = Clinic_Billing_V1_BillLineRequest()
        unknown.feeCode = "NOPE-1"
        request.lines = [fill, unknown]
        let refused = await harness.failure(Cashier.createBill, request)
        #expect(Set(refused?.violations.map(\.field) ?? []) == ["lines[0].discountFen", "lines[1].feeCode"])
        fill.discountFen = 2_000
        request.lines = [fill]
        let bill = try await harness.call(Cashier.createBill, request)
        #expect(bill.lines.first?.lineTotalFen == 18_000 && bill.totalFen == 18_000 && bill.status == .open)
        #expect(!bill.createdBy.isEmpty && bill.lines.first?.addedBy == bill.createdBy)
        #expect(await harness.failure(Cashier.createBill, request, as: [.desk])?.code == .permissionDenied)
    }

    @Test func aBillIsVoidedWithAReasonOnlyBeforeAnyPayment() async throws {
        let harness = try BillingHarness()
        defer { harness.stop() }
        try await harness.feeItem("FILL-01", fen: 10_000)
        let bill = try await harness.bill(["FILL-01"])
        var void = Clinic_Billing_V1_VoidBillRequest()
        void.billID = bill.id
        #expect(await harness.failure(Cashier.voidBill, void)?.violations.map(\.field) == ["reason"])
        void.reason = "重复开单"
        let voided = try await harness.call(Cashier.voidBill, void)
        #expect(voided.status == .void && voided.voidReason == "重复开单" && !voided.voidedBy.isEmpty)
        #expect(await harness.failure(Cashier.voidBill, void)?.code == .failedPrecondition)
        #expect(await harness.failure(Cashier.recordPayment, payment(bill.id, .cash, fen: 100), idempotencyKey: newKey())?.code == .failedPrecondition)

        let paid = try await harness.bill(["FILL-01"])
        _ = try await harness.call(Cashier.recordPayment, payment(paid.id, .cash, fen: 100), idempotencyKey: newKey())
        void.billID = paid.id
        let late = await harness.failure(Cashier.voidBill, void)
        #expect(late?.code == .failedPrecondition && late?.message.contains("payments") == true)
        var list = Clinic_Billing_V1_ListBillsRequest()
        list.status = .void
        #expect(try await harness.call(Cashier.listBills, list).bills.map(\.id) == [bill.id])
        list.status = .partlyPaid
        #expect(try await harness.call(Cashier.listBills, list).bills.map(\.id) == [paid.id])
    }

    @Test func theDatabaseAndSwiftAgreeOnEveryBillsFigures() throws {
        let harness = try BillingHarness()
        defer { harness.stop() }
        let db = try harness.database()
        defer { db.close() }
        var generator = SystemRandomNumberGenerator()
        for index in 0..<60 {
            let lines = (0..<Int.random(in: 1...6, using: &generator)).map { _ in
                let quantity = Int.random(in: 1...5, using: &generator)
                let price = Int64.random(in: 0...50_000, using: &generator)
                let unresolved = Int.random(in: 0..<6, using: &generator) == 0
                return NewBillLine(itemCode: "C\(index)", itemName: "x", category: unresolved ? "" : "treatment", quantity: quantity,
                                   unitPriceFen: unresolved ? 0 : price,
                                   discountFen: unresolved ? 0 : Int64.random(in: 0...(Int64(quantity) * price), using: &generator),
                                   unresolved: unresolved, resolvesLineNumber: nil)
            }
            let id = UUID()
            let patientID = UUID()
            let now = Date().inStoredPrecision
            try BillStore.insert(NewBill(id: id, patientID: patientID, patientName: "", visitID: nil, doctorName: "",
                                         serviceDate: ClinicDate(year: 2026, month: 1, day: 1), lines: lines, createdAt: now,
                                         createdBy: "test"), on: db)
            let swiftLines = lines.map { BillFigures.Line(quantity: $0.quantity, unitPriceFen: $0.unitPriceFen,
                                                          discountFen: $0.discountFen, unresolved: $0.unresolved) }
            let total = swiftLines.reduce(0) { $0 + $1.totalFen }
            var payments: [Int64] = []
            let voided = index % 7 == 0
            if !voided {
                // None, part, or all of the total, in up to three payments.
                let target = [0, total / 2, total][index % 3]
                var left = target
                while left > 0 {
                    let amount = payments.count == 2 ? left : Int64.random(in: 1...left, using: &generator)
                    let paymentID = UUID()
                    let receipt = ReceiptRecord(id: UUID(), series: "test", number: 0, billID: id, paymentID: paymentID, patientID: UUID(),
                                                patientName: "", totalFen: total, paidBeforeFen: 0, paidTodayFen: amount, balanceFen: 0,
                                                treatmentFeeFen: amount, method: .cash, issuedAt: now, issuedBy: "test")
                    _ = try PaymentStore.insertAtCommit(ValidPayment(method: .cash, amountFen: amount, tenderedFen: amount, changeFen: 0,
                                                                     cardKind: "", cardLast4: "", reference: "", note: ""),
                                                        id: paymentID, at: now, by: "test", receipt: receipt,
                                                        received: try BillingService.events.entry(Clinic_Billing_V1_PaymentReceived()),
                                                        paid: nil, on: db)
                    payments.append(amount)
                    left -= amount
                }
            } else {
                try BillStore.void(id, BillVoid(reason: "test", voidedAt: now, voidedBy: "test"), on: db)
            }
            // One bill is read with its rows and figured in Swift; a list reads the figures from bill_balances.
            let stored = try #require(try BillStore.find(id, on: db))
            let listed = try #require(try BillStore.list(date: nil, visitID: nil, patientID: patientID, status: nil, limit: 1, offset: 0,
                                                         on: db).first)
            let computed = BillFigures(lines: swiftLines, payments: payments, voided: voided)
            #expect(stored.figures == computed, "bill \(index)")
            #expect(listed.figures == computed, "bill \(index), bill_balances")
            #expect(stored.lines.map(\.lineTotalFen) == swiftLines.map(\.totalFen))
        }
    }

    @Test func theLedgerRefusesEveryUpdateAndDelete() async throws {
        let harness = try BillingHarness()
        defer { harness.stop() }
        try await harness.feeItem("FILL-01", fen: 10_000)
        let bill = try await harness.bill(["FILL-01"])
        _ = try await harness.call(Cashier.recordPayment, payment(bill.id, .cash, fen: 10_000), idempotencyKey: newKey())
        let db = try harness.database()
        defer { db.close() }
        for statement: SQL in [
            "UPDATE bills SET patient_name = 'changed'", "DELETE FROM bills",
            "UPDATE bill_lines SET unit_price_fen = 1", "DELETE FROM bill_lines",
            "UPDATE payments SET amount_fen = 1", "DELETE FROM payments",
            "UPDATE receipts SET number = 99", "DELETE FROM receipts",
            "TRUNCATE receipt_prints, receipts, payments, bill_voids, bill_lines, bills, refund_steps, refunds, anomalies, correction_countersigns, corrections, bill_discounts",
        ] {
            do {
                try db.execute(statement)
                Issue.record("\(statement.text) was allowed")
            } catch let error as StoreError {
                #expect(error.message.contains("append-only"), "\(statement.text): \(error)")
            }
        }
        var void = Clinic_Billing_V1_VoidBillRequest()
        void.billID = (try await harness.bill(["FILL-01"])).id
        void.reason = "测试"
        _ = try await harness.call(Cashier.voidBill, void)
        #expect(throws: StoreError.self) { try db.execute("DELETE FROM bill_voids") }
        var get = Clinic_Billing_V1_GetBillRequest()
        get.billID = bill.id
        let after = try await harness.call(Cashier.getBill, get)
        #expect(after.status == .paid && after.paidFen == 10_000 && after.lines.first?.unitPriceFen == 10_000)
    }
}

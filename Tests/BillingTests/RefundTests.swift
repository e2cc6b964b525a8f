@testable import Billing
import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import Testing

/// Refunds: the doctor's request, the supervisor's decision, the cashier's payment, the patient's receipt.
@Suite("Refunds", .serialized)
struct RefundTests {
    typealias Refunds = Clinic_Billing_V1_Refunds

    /// A refund request.
    func request(_ billID: String, fen: Int64) -> Clinic_Billing_V1_RequestRefundRequest {
        var request = Clinic_Billing_V1_RequestRefundRequest()
        request.billID = billID
        request.amountFen = fen
        request.reason = "治疗未完成"
        request.firstVisitDate = "2026-01-05"
        return request
    }

    @Test func aRefundGoesFromTheDoctorToThePatientEachStepByItsRole() async throws {
        let harness = try BillingHarness()
        defer { harness.stop() }
        try await harness.feeItem("CROWN-1", fen: 300_000)
        let bill = try await harness.paidBill(["CROWN-1"])
        // Only a doctor requests.
        #expect(await harness.failure(Refunds.requestRefund, request(bill.id, fen: 50_000), as: [.cashier])?.code == .permissionDenied)
        let requested = try await harness.call(Refunds.requestRefund, request(bill.id, fen: 50_000), as: [.doctor])
        #expect(requested.status == .requested && requested.billTotalFen == 300_000 && requested.billPaidFen == 300_000)
        #expect(requested.firstVisitDate == "2026-01-05" && !requested.requestedBy.isEmpty)
        var approve = Clinic_Billing_V1_ApproveRefundRequest()
        approve.refundID = requested.id
        #expect(await harness.failure(Refunds.approveRefund, approve, as: [.doctor])?.code == .permissionDenied)
        // Paying before approval is refused.
        var pay = Clinic_Billing_V1_PayRefundRequest()
        pay.refundID = requested.id
        pay.method = .cash
        #expect(await harness.failure(Refunds.payRefund, pay)?.code == .failedPrecondition)
        let approved = try await harness.call(Refunds.approveRefund, approve, as: [.supervisor])
        #expect(approved.status == .approved)
        var reject = Clinic_Billing_V1_RejectRefundRequest()
        reject.refundID = requested.id
        reject.note = "晚了"
        #expect(await harness.failure(Refunds.rejectRefund, reject, as: [.director])?.code == .failedPrecondition)
        #expect(await harness.failure(Refunds.payRefund, pay, as: [.supervisor])?.code == .permissionDenied)
        let paid = try await harness.call(Refunds.payRefund, pay)
        #expect(paid.status == .paid && paid.steps.last?.method == .cash)
        var received = Clinic_Billing_V1_RecordRefundReceivedRequest()
        received.refundID = requested.id
        received.note = "患者本人签收"
        let done = try await harness.call(Refunds.recordRefundReceived, received)
        #expect(done.status == .received && done.steps.map(\.step) == [.approved, .paid, .received])

        // The bill shows it; the patient's history holds it.
        var get = Clinic_Billing_V1_GetBillRequest()
        get.billID = bill.id
        let after = try await harness.call(Clinic_Billing_V1_Cashier.getBill, get)
        #expect(after.refundedFen == 50_000 && after.status == .paid)
        var history = Clinic_Billing_V1_GetPatientBillingRequest()
        history.patientID = bill.patientID
        let record = try await harness.call(Refunds.getPatientBilling, history)
        #expect(record.bills.map(\.id) == [bill.id] && record.payments.count == 1 && record.refunds.map(\.id) == [requested.id])
        #expect(record.paidFen == 300_000 && record.refundedFen == 50_000)
        var list = Clinic_Billing_V1_ListRefundsRequest()
        list.status = .received
        #expect(try await harness.call(Refunds.listRefunds, list).refunds.map(\.id) == [requested.id])

        // A rejection needs its note; the steps are append-only.
        let second = try await harness.call(Refunds.requestRefund, request(bill.id, fen: 10_000), as: [.doctor])
        reject.refundID = second.id
        reject.note = ""
        #expect(await harness.failure(Refunds.rejectRefund, reject, as: [.supervisor])?.code == .invalidArgument)
        reject.note = "不符合退款条件"
        #expect(try await harness.call(Refunds.rejectRefund, reject, as: [.supervisor]).status == .rejected)
        let db = try harness.database()
        defer { db.close() }
        for statement: SQL in ["UPDATE refund_steps SET note = 'x'", "DELETE FROM refunds", "DELETE FROM refund_steps"] {
            #expect(throws: StoreError.self) { try db.execute(statement) }
        }
        let counts = try db.query("SELECT type, count(*) AS n FROM outbox GROUP BY type").reduce(into: [String: Int]()) {
            $0[try $1.decode("type")] = try $1.decode("n")
        }
        #expect(counts["clinic.billing.v1.RefundRequested"] == 2 && counts["clinic.billing.v1.RefundApproved"] == 1
                && counts["clinic.billing.v1.RefundPaid"] == 1)
    }

    @Test func sixteenConcurrentRequestsNeverRefundMoreThanWasPaid() async throws {
        let harness = try BillingHarness()
        defer { harness.stop() }
        try await harness.feeItem("IMPLANT-1", fen: 100_000)
        let bill = try await harness.paidBill(["IMPLANT-1"])
        // 16 × 15,000 = 240,000 fen asked against 100,000 paid: six fit.
        let asked = request(bill.id, fen: 15_000)
        let outcomes = await withTaskGroup(of: RPCError?.self) { group in
            for _ in 0..<16 { group.addTask { await harness.failure(Refunds.requestRefund, asked, as: [.doctor]) } }
            return await group.reduce(into: [RPCError?]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == nil }.count == 6)
        #expect(outcomes.compactMap { $0 }.allSatisfy { $0.code == .failedPrecondition })
        let db = try harness.database()
        defer { db.close() }
        #expect(try db.query("SELECT sum(amount_fen)::bigint AS fen FROM refunds").first?.decode("fen", as: Int64.self) == 90_000)
        // A rejected refund frees its amount again.
        #expect(await harness.failure(Refunds.requestRefund, request(bill.id, fen: 10_001), as: [.doctor])?.code == .failedPrecondition)
        _ = try await harness.call(Refunds.requestRefund, request(bill.id, fen: 10_000), as: [.doctor])
    }
}

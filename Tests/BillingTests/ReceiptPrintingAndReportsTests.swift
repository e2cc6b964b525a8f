@testable import Billing
import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import Testing

/// Printable receipts (the original, then copies) and the reports, as data and as CSV, over the real bus.
@Suite("Receipt printing and billing reports")
struct ReceiptPrintingAndReportsTests {
    typealias Cashier = Clinic_Billing_V1_Cashier
    typealias Reports = Clinic_Billing_V1_Reports

    @Test func aReceiptPrintsWithTheClinicsNameAndTheTreatmentFeeAndReprintsAsACopy() async throws {
        let harness = try BillingHarness()
        defer { harness.stop() }
        try await harness.feeItem("CROWN-P", fen: 300_000)
        let bill = try await harness.bill(["CROWN-P"])
        var wechat = payment(bill.id, .wechatPay, fen: 120_050)
        wechat.reference = "4200001234202612070000000001"
        let paid = try await harness.call(Cashier.recordPayment, wechat, idempotencyKey: newKey())
        var print = Clinic_Billing_V1_PrintReceiptRequest()
        print.receiptID = paid.receipt.id
        let original = try await harness.call(Clinic_Billing_V1_Printing.printReceipt, print)
        #expect(original.contentType == "text/html; charset=utf-8")
        let page = String(decoding: original.data, as: UTF8.self)
        #expect(page.contains(BillingService.defaultClinicName))
        #expect(page.contains(paid.receipt.displayNumber))
        #expect(page.contains("<th>治疗费 Treatment fee</th><td>¥1200.50</td>"))
        #expect(page.contains("¥3000.00") && page.contains("¥1799.50"))
        #expect(page.contains("@media print"))
        #expect(!page.contains("副本"))
        let copy = String(decoding: try await harness.call(Clinic_Billing_V1_Printing.printReceipt, print).data, as: UTF8.self)
        #expect(copy.contains("副本 / COPY"))
        let db = try harness.database()
        defer { db.close() }
        #expect(try db.query("SELECT count(*)::bigint AS n FROM receipt_prints").first?.decode("n", as: Int.self) == 2)
        #expect(throws: StoreError.self) { try db.execute("DELETE FROM receipt_prints") }
        print.receiptID = UUID().uuidString
        #expect(await harness.failure(Clinic_Billing_V1_Printing.printReceipt, print)?.code == .notFound)
        // The desk may not print receipts.
        print.receiptID = paid.receipt.id
        #expect(await harness.failure(Clinic_Billing_V1_Printing.printReceipt, print, as: [.desk])?.code == .permissionDenied)
    }

    @Test func namesOnThePageAreEscaped() {
        #expect(ReceiptDocument.escape(#"<script>"x"&'y'</script>"#) == "&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;/script&gt;")
        #expect(Money.yuan(0) == "0.00" && Money.yuan(5) == "0.05" && Money.yuan(12_345) == "123.45" && Money.yuan(-305) == "-3.05")
    }

    @Test func csvQuotesWhatItMustAndDefusesFormulas() {
        #expect(CSVText.render([["a", "b,c"], ["say \"hi\"", "=1+1"], ["-5", "line\nbreak"]])
                == "a,\"b,c\"\r\n\"say \"\"hi\"\"\",'=1+1\r\n-5,\"line\nbreak\"\r\n")
    }

    @Test func takingsAreSummedInSQLByDayMethodAndDoctorAndOutstandingBalancesListed() async throws {
        let harness = try BillingHarness()
        defer { harness.stop() }
        try await harness.feeItem("EXAM-R", fen: 10_000)
        let first = try await harness.bill(["EXAM-R"])
        let second = try await harness.bill(["EXAM-R", "EXAM-R"])
        let third = try await harness.bill(["EXAM-R"])
        _ = try await harness.call(Cashier.recordPayment, payment(first.id, .cash, fen: 10_000), idempotencyKey: newKey())
        _ = try await harness.call(Cashier.recordPayment, payment(second.id, .cash, fen: 5_000), idempotencyKey: newKey())
        var alipay = payment(second.id, .alipay, fen: 3_000)
        alipay.reference = "2026120722001400001234567890"
        _ = try await harness.call(Cashier.recordPayment, alipay, idempotencyKey: newKey())

        let report = try await harness.call(Reports.getTakingsReport, Clinic_Billing_V1_TakingsReportRequest(), as: [.supervisor])
        let today = ClinicClock(timeZone: ServiceSettings.defaultTimeZone).today().description
        #expect(report.fromDate == today && report.toDate == today)
        #expect(report.rows.map(\.method) == [.alipay, .cash])
        #expect(report.rows.map(\.amountFen) == [3_000, 15_000] && report.rows.map(\.payments) == [1, 2])
        #expect(report.totalFen == 18_000)
        let csv = try await harness.call(Reports.exportTakingsReport, Clinic_Billing_V1_TakingsReportRequest(), as: [.director])
        #expect(csv.contentType == "text/csv; charset=utf-8")
        #expect(String(decoding: csv.data, as: UTF8.self)
                == "day,method,doctor,payments,amount_fen,amount_yuan\r\n\(today),alipay,,1,3000,30.00\r\n\(today),cash,,2,15000,150.00\r\n")

        let owed = try await harness.call(Reports.getOutstandingBalances, Clinic_Billing_V1_OutstandingBalancesRequest(), as: [.supervisor])
        #expect(Set(owed.bills.map(\.billID)) == [second.id, third.id])
        #expect(owed.totalBalanceFen == 12_000 + 10_000)
        let owedCSV = String(decoding: try await harness.call(Reports.exportOutstandingBalances,
                                                              Clinic_Billing_V1_OutstandingBalancesRequest(), as: [.supervisor]).data, as: UTF8.self)
        #expect(owedCSV.hasPrefix("bill_id,patient_id,patient_name,service_date,total_fen,paid_fen,balance_fen\r\n"))
        #expect(owedCSV.contains("\(second.id),\(second.patientID),测试患者,\(today),20000,8000,12000\r\n"))

        // Reports are for supervisors and directors; a range is checked.
        #expect(await harness.failure(Reports.getTakingsReport, Clinic_Billing_V1_TakingsReportRequest())?.code == .permissionDenied)
        var backwards = Clinic_Billing_V1_TakingsReportRequest()
        backwards.fromDate = "2026-12-02"
        backwards.toDate = "2026-12-01"
        #expect(await harness.failure(Reports.getTakingsReport, backwards, as: [.supervisor])?.violations.map(\.field) == ["toDate"])
        backwards.fromDate = "2024-01-01"
        backwards.toDate = "2026-01-01"
        #expect(await harness.failure(Reports.getTakingsReport, backwards, as: [.supervisor])?.violations.map(\.field) == ["toDate"])
    }
}

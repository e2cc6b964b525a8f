import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation

/// Printable receipts and billing's reports.
extension BillingHandlers {
    /// PrintReceipt: the receipt as HTML; every print recorded, all but the first marked as a copy.
    func printReceipt(_ context: RequestContext, _ request: Clinic_Billing_V1_PrintReceiptRequest) throws -> Clinic_Api_V1_HttpBody {
        let id = try CheckedID.parse(request.receiptID, field: "receiptId")
        let now = Date()
        let (receipt, earlier) = try db.transaction { db -> (ReceiptRecord, Int) in
            guard let receipt = try PaymentStore.receipt(id, on: db) else { throw RPCError.notFound("receipt \(id.lowercasedText) not found") }
            return (receipt, try ReportStore.recordPrint(of: id, at: now, by: context.actor, on: db))
        }
        var body = Clinic_Api_V1_HttpBody()
        body.contentType = "text/html; charset=utf-8"
        let page = ReceiptDocument(clinicName: clinicName, clock: clock)
        body.data = Data(page.html(receipt, copy: earlier > 0, cashierName: receipt.issuedBy).utf8)
        logger.info("receipt printed", metadata: ["receipt_id": "\(id.lowercasedText)", "copy": "\(earlier > 0)"])
        return body
    }

    /// GetTakingsReport: payments by clinic day, method and doctor.
    func getTakingsReport(_ context: RequestContext, _ request: Clinic_Billing_V1_TakingsReportRequest) throws -> Clinic_Billing_V1_TakingsReport {
        let (from, to) = try reportRange(request)
        let rows = try ReportStore.takings(in: TimeSpan(start: clock.startOfDay(from), end: clock.startOfDay(to.adding(days: 1))),
                                           timeZone: clock.timeZone.identifier, on: db)
        var report = Clinic_Billing_V1_TakingsReport()
        report.fromDate = from.description
        report.toDate = to.description
        report.rows = rows.map { record in
            var row = Clinic_Billing_V1_TakingsRow()
            row.day = record.day
            row.method = record.method.message
            row.doctorName = record.doctorName
            row.payments = Int32(record.payments)
            row.amountFen = record.amountFen
            return row
        }
        report.totalFen = rows.reduce(0) { $0 + $1.amountFen }
        return report
    }

    /// ExportTakingsReport: the takings as CSV.
    func exportTakingsReport(_ context: RequestContext, _ request: Clinic_Billing_V1_TakingsReportRequest) throws -> Clinic_Api_V1_HttpBody {
        let report = try getTakingsReport(context, request)
        let rows = [["day", "method", "doctor", "payments", "amount_fen", "amount_yuan"]] + report.rows.map { row in
            [row.day, PaymentMethod(row.method)?.rawValue ?? "", row.doctorName, String(row.payments), String(row.amountFen),
             Money.yuan(row.amountFen)]
        }
        return CSVText.body(rows)
    }

    /// GetOutstandingBalances: bills still owed.
    func getOutstandingBalances(_ context: RequestContext, _ request: Clinic_Billing_V1_OutstandingBalancesRequest) throws -> Clinic_Billing_V1_OutstandingBalances {
        let asOf = try CheckedDate.parseOptional(request.asOfDate, field: "asOfDate")
        let records = try ReportStore.outstanding(asOf: asOf?.description, on: db)
        var report = Clinic_Billing_V1_OutstandingBalances()
        report.bills = records.map { record in
            var bill = Clinic_Billing_V1_OutstandingBalance()
            bill.billID = record.billID.lowercasedText
            bill.patientID = record.patientID.lowercasedText
            bill.patientName = record.patientName
            bill.serviceDate = record.serviceDate
            bill.totalFen = record.totalFen
            bill.paidFen = record.paidFen
            bill.balanceFen = record.balanceFen
            return bill
        }
        report.totalBalanceFen = records.reduce(0) { $0 + $1.balanceFen }
        return report
    }

    /// ExportOutstandingBalances: the balances as CSV.
    func exportOutstandingBalances(_ context: RequestContext, _ request: Clinic_Billing_V1_OutstandingBalancesRequest) throws -> Clinic_Api_V1_HttpBody {
        let report = try getOutstandingBalances(context, request)
        let rows = [["bill_id", "patient_id", "patient_name", "service_date", "total_fen", "paid_fen", "balance_fen"]] + report.bills.map {
            [$0.billID, $0.patientID, $0.patientName, $0.serviceDate, String($0.totalFen), String($0.paidFen), String($0.balanceFen)]
        }
        return CSVText.body(rows)
    }

    /// The report's days: from and to (default today), in order and at most 366 days apart.
    private func reportRange(_ request: Clinic_Billing_V1_TakingsReportRequest) throws -> (ClinicDate, ClinicDate) {
        let today = clock.today()
        let from = try CheckedDate.parse(request.fromDate, field: "fromDate", default: today)
        let to = try CheckedDate.parse(request.toDate, field: "toDate", default: from)
        guard from <= to else { throw RPCError.invalidArgument(field: "toDate", "must not be before fromDate") }
        guard from.days(until: to) < 366 else { throw RPCError.invalidArgument(field: "toDate", "a report covers at most 366 days") }
        return (from, to)
    }
}

import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation

/// Follow-up's monthly report, as data and as CSV.
extension FollowUpHandlers {
    /// GetFollowUpReport: the month's completion, satisfaction, complaints and overdue counts.
    func getFollowUpReport(_ context: RequestContext, _ request: Clinic_Followup_V1_FollowUpReportRequest) throws -> Clinic_Followup_V1_FollowUpReport {
        let today = clock.today()
        let first = try Self.month(request.month, today: today)
        let instants = TimeSpan(start: clock.startOfDay(first), end: clock.startOfDay(first.adding(months: 1)))
        return try FollowUpReportStore.report(month: first, instants: instants, today: today, on: db)
    }

    /// ExportFollowUpReport: the same report as CSV, one line per figure.
    func exportFollowUpReport(_ context: RequestContext, _ request: Clinic_Followup_V1_FollowUpReportRequest) throws -> Clinic_Api_V1_HttpBody {
        let report = try getFollowUpReport(context, request)
        var rows = [["section", "key", "count", "total", "rate_percent"]]
        for line in report.completion {
            rows.append(["completion", StoredNames.name(line.kind, in: StoredNames.taskKinds) ?? "", "\(line.done)",
                         "\(line.due - line.notNeeded)", "\(line.ratePercent)"])
        }
        rows.append(["completion", "all", "\(report.done)", "\(report.due)", "\(report.completionRatePercent)"])
        let rated = report.satisfaction.reduce(0) { $0 + Int($1.count) }
        for line in report.satisfaction {
            rows.append(["satisfaction", StoredNames.name(line.satisfaction, in: StoredNames.satisfactions) ?? "", "\(line.count)",
                         "\(rated)", "\(FollowUpReportStore.rate(Int(line.count), of: rated))"])
        }
        for line in report.complaints {
            rows.append(["complaints", StoredNames.name(line.category, in: StoredNames.complaintCategories) ?? "", "\(line.filed)",
                         "", ""])
        }
        for line in report.overdue {
            let who = line.assigneeName.isEmpty ? (line.assigneeID.isEmpty ? "pool:\(StoredNames.name(line.team, in: StoredNames.teams) ?? "")" : line.assigneeID) : line.assigneeName
            rows.append(["overdue", who, "\(line.overdue)", "", ""])
        }
        return CSVText.body(rows)
    }

    /// The first day of the month `text` names ("YYYY-MM"), or of this month.
    static func month(_ text: String, today: ClinicDate) throws -> ClinicDate {
        guard !text.isEmpty else { return ClinicDate(year: today.year, month: today.month, day: 1) }
        guard let first = ClinicDate(iso: text + "-01") else { throw RPCError.invalidArgument(field: "month", "must be a month YYYY-MM") }
        return first
    }
}

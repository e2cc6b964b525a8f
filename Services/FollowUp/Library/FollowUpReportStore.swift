import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation

/// Follow-up's reports, computed in SQL.
enum FollowUpReportStore {
    /// Open tasks past their last day as of `day`, per person (a team's pool as one line), most first.
    static func overdue(before day: ClinicDate, on db: Connection) throws -> [Clinic_Followup_V1_OverdueCount] {
        try TaskStore.openPerPerson(on: day, pastDueBy: true, on: db).map { line in
            var count = Clinic_Followup_V1_OverdueCount()
            count.assigneeID = line.assignee?.lowercasedText ?? ""
            count.assigneeName = line.name
            count.team = StoredNames.value(line.team.rawValue, in: StoredNames.teams) ?? .unspecified
            count.overdue = Int32(line.count)
            return count
        }
    }

    /// The month's report: completion of the tasks whose last day fell in it (cancelled ones left out), the
    /// satisfaction of its calls, its complaints by category, and overdue counts at its end (or today).
    static func report(month first: ClinicDate, instants: TimeSpan, today: ClinicDate, on db: Connection) throws -> Clinic_Followup_V1_FollowUpReport {
        let next = first.adding(months: 1)
        var report = Clinic_Followup_V1_FollowUpReport()
        report.month = String(first.description.prefix(7))
        report.completion = try db.query("""
            SELECT kind, count(*)::int AS due, count(*) FILTER (WHERE status = 'done')::int AS done,
                   count(*) FILTER (WHERE status = 'not_needed')::int AS not_needed, count(*) FILTER (WHERE status = 'open')::int AS open
            FROM tasks WHERE due_by >= \(first.description)::date AND due_by < \(next.description)::date AND status <> 'cancelled'
            GROUP BY kind ORDER BY kind
            """).map { row in
            var line = Clinic_Followup_V1_CompletionRow()
            line.kind = StoredNames.value(try row.decode("kind") as String, in: StoredNames.taskKinds) ?? .unspecified
            line.due = try row.decode("due")
            line.done = try row.decode("done")
            line.notNeeded = try row.decode("not_needed")
            line.open = try row.decode("open")
            line.ratePercent = rate(Int(line.done), of: Int(line.due - line.notNeeded))
            return line
        }
        report.due = report.completion.reduce(0) { $0 + $1.due - $1.notNeeded }
        report.done = report.completion.reduce(0) { $0 + $1.done }
        report.completionRatePercent = rate(Int(report.done), of: Int(report.due))
        let counted = try db.query("""
            SELECT satisfaction, count(*)::int AS n FROM task_attempts
            WHERE satisfaction IS NOT NULL AND recorded_at >= \(instants.start) AND recorded_at < \(instants.end)
            GROUP BY satisfaction
            """).reduce(into: [String: Int32]()) { $0[try $1.decode("satisfaction")] = try $1.decode("n") }
        report.satisfaction = StoredNames.satisfactions.map { grade, stored in
            var line = Clinic_Followup_V1_SatisfactionRow()
            line.satisfaction = grade
            line.count = counted[stored] ?? 0
            return line
        }
        let complaints = try db.query("""
            SELECT category, count(*)::int AS filed, count(*) FILTER (WHERE status = 'closed')::int AS closed,
                   count(*) FILTER (WHERE escalated_at IS NOT NULL)::int AS escalated
            FROM complaints WHERE filed_at >= \(instants.start) AND filed_at < \(instants.end) GROUP BY category
            """).reduce(into: [String: (Int32, Int32, Int32)]()) {
            $0[try $1.decode("category")] = (try $1.decode("filed"), try $1.decode("closed"), try $1.decode("escalated"))
        }
        report.complaints = StoredNames.complaintCategories.map { category, stored in
            var line = Clinic_Followup_V1_ComplaintCategoryRow()
            line.category = category
            (line.filed, line.closed, line.escalated) = complaints[stored] ?? (0, 0, 0)
            return line
        }
        report.overdue = try overdue(before: min(next, today), on: db)
        return report
    }

    /// `part` of `whole` in percent with one decimal; 0 when the whole is 0.
    static func rate(_ part: Int, of whole: Int) -> Double {
        whole > 0 ? (Double(part) * 1000 / Double(whole)).rounded() / 10 : 0
    }
}

import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation
import Logging
import SwiftProtobuf

/// The day's check (16:00 by default): what is still open is recorded once per clinic day, by whichever instance
/// gets there first, and published as `FollowUpsOpenAtCutoff`.
public enum DailyCheck {
    /// Runs the check at `now` if it is due and has not run today; the check made, or nil.
    @discardableResult
    public static func run(clock: ClinicClock, policy: FollowUpPolicy, now: Date, logger: Logger,
                           on db: Connection) throws -> Clinic_Followup_V1_CutoffCheck? {
        let day = clock.date(of: now)
        guard clock.timeOfDay(of: now) >= policy.cutoffTime, try recorded(day, on: db) == nil else { return nil }
        return try db.transaction { db -> Clinic_Followup_V1_CutoffCheck? in
            let people = try openTasks(on: day, on: db)
            let total = people.reduce(0) { $0 + $1.openTasks }
            let json = people.map { person -> [String: Any] in
                ["assignee_id": person.assigneeID, "assignee_name": person.assigneeName,
                 "team": StoredNames.name(person.team, in: StoredNames.teams) ?? "", "open_tasks": Int(person.openTasks)]
            }
            let text = String(decoding: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self)
            guard try db.execute("""
                INSERT INTO cutoff_checks (day, checked_at, check_time, open_tasks, people)
                VALUES (\(day.description)::date, \(now), \(policy.cutoffTime.description), \(Int(total)), \(text)::jsonb)
                ON CONFLICT (day) DO NOTHING
                """) == 1 else { return nil }
            var event = Clinic_Followup_V1_FollowUpsOpenAtCutoff()
            event.date = day.description
            event.openTasks = total
            event.people = people
            event.checkedAt = Google_Protobuf_Timestamp(date: now)
            try FollowUpEvents.append(event, on: db)
            logger.info("follow-ups still open at the day's check", metadata: ["date": "\(day)", "open": "\(total)"])
            var check = Clinic_Followup_V1_CutoffCheck()
            check.date = day.description
            check.checkedAt = event.checkedAt
            check.checkTime = policy.cutoffTime.description
            check.openTasks = total
            check.people = people
            return check
        }
    }

    /// Open tasks due on `day` or earlier, per person (a team's pool as one line), most first.
    static func openTasks(on day: ClinicDate, on db: Connection) throws -> [Clinic_Followup_V1_OpenAtCutoff] {
        try TaskStore.openPerPerson(on: day, pastDueBy: false, on: db).map { line in
            var person = Clinic_Followup_V1_OpenAtCutoff()
            person.assigneeID = line.assignee?.lowercasedText ?? ""
            person.assigneeName = line.name
            person.team = StoredNames.value(line.team.rawValue, in: StoredNames.teams) ?? .unspecified
            person.openTasks = Int32(line.count)
            return person
        }
    }

    /// The check recorded for `day`, if it ran.
    static func recorded(_ day: ClinicDate, on db: Connection) throws -> Clinic_Followup_V1_CutoffCheck? {
        guard let row = try db.query("""
            SELECT checked_at, check_time, open_tasks, people::text AS people FROM cutoff_checks WHERE day = \(day.description)::date
            """).first else { return nil }
        var check = Clinic_Followup_V1_CutoffCheck()
        check.date = day.description
        check.checkedAt = Google_Protobuf_Timestamp(date: try row.decode("checked_at"))
        check.checkTime = try row.decode("check_time")
        check.openTasks = try row.decode("open_tasks")
        let text: String = try row.decode("people")
        let people = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] ?? []
        check.people = people.map { entry in
            var person = Clinic_Followup_V1_OpenAtCutoff()
            person.assigneeID = entry["assignee_id"] as? String ?? ""
            person.assigneeName = entry["assignee_name"] as? String ?? ""
            person.team = StoredNames.value(entry["team"] as? String, in: StoredNames.teams) ?? .unspecified
            person.openTasks = Int32(entry["open_tasks"] as? Int ?? 0)
            return person
        }
        return check
    }
}

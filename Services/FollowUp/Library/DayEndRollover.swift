import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation
import Logging

/// The day's end: calls not made (or not answered) on an earlier clinic day move to today, each counting the days it
/// rolled; a reminder for an appointment that has passed is dropped instead. Safe with several instances.
public enum DayEndRollover {
    /// One run at `now`; how many tasks rolled over.
    @discardableResult
    public static func run(clock: ClinicClock, now: Date, logger: Logger, on db: Connection) throws -> Int {
        let today = clock.date(of: now)
        return try db.transaction { db -> Int in
            let dropped = try db.execute("""
                UPDATE tasks SET status = 'cancelled', closed_reason = 'the appointment it reminded of has passed',
                       closed_by = 'system:followup', closed_at = \(now)
                WHERE status = 'open' AND kind = 'appointment_reminder' AND due_date < \(today.description)::date
                """)
            let rolled = try db.execute("""
                UPDATE tasks SET rollovers = rollovers + (\(today.description)::date - due_date), due_date = \(today.description)::date
                WHERE status = 'open' AND due_date < \(today.description)::date
                """)
            if rolled > 0 {
                var event = Clinic_Followup_V1_FollowUpsRolledOver()
                event.fromDate = today.adding(days: -1).description
                event.toDate = today.description
                event.tasks = Int32(rolled)
                try FollowUpEvents.append(event, on: db)
                logger.info("unreached follow-ups rolled over", metadata: ["to": "\(today)", "tasks": "\(rolled)", "reminders_dropped": "\(dropped)"])
            }
            return rolled
        }
    }
}

import ClinicService
import ClinicStore
import ClinicValues
import Foundation
import Logging

/// Escalates to the director every complaint past its reply deadline with no reply yet (an event and the escalated
/// list). Safe with several instances: each complaint is escalated once.
public enum ComplaintEscalation {
    /// One run at `now`; how many were escalated.
    @discardableResult
    public static func run(clock: ClinicClock, policy: FollowUpPolicy, now: Date, logger: Logger, on db: Connection) throws -> Int {
        let desk = ComplaintDesk(clock: clock, policy: policy)
        return try db.transaction { db -> Int in
            var count = 0
            for complaint in try ComplaintStore.overdue(on: clock.date(of: now), limit: 500, on: db) {
                if try desk.escalate(complaint, reason: "no reply by the deadline \(complaint.replyDeadline)", at: now, on: db) { count += 1 }
            }
            if count > 0 { logger.notice("overdue complaints escalated to the director", metadata: ["count": "\(count)"]) }
            return count
        }
    }
}

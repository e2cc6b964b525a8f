import ClinicService
import ClinicStore
import Foundation
import Logging

/// The day-end sweep: a patient still checked in or waiting when their clinic day is over left unseen. Each such
/// visit is marked so, with the step signed by the sweep, and published as PatientLeftUnseen (follow-up calls them
/// back), so yesterday's forgotten visit never blocks today's check-in. Safe with several reception instances.
public enum DayEndSweep {
    /// The reason the sweep records.
    public static let reason = "still waiting when the clinic day ended"

    /// The sweep as a job ServiceHost runs every `policy.promptIntervalSeconds`.
    public static func job(_ policy: ReceptionPolicy) -> BackgroundJob {
        BackgroundJob(name: "day-end", interval: .seconds(policy.promptIntervalSeconds)) { db, environment in
            _ = try run(clock: ClinicClock(timeZone: environment.timeZone), now: Date().inStoredPrecision,
                        logger: environment.logger, on: db)
        }
    }

    /// One sweep at `now`: every visit checked in before today's clinic day began and still awaiting a doctor;
    /// returns how many were closed.
    @discardableResult
    public static func run(clock: ClinicClock, now: Date, logger: Logger, on db: Connection) throws -> Int {
        let startOfToday = clock.startOfDay(clock.date(of: now))
        let closed = try db.transaction { db -> Int in
            let stale = try VisitStore.awaitingSince(before: startOfToday, limit: 500, on: db)
            for visit in stale {
                try ReceptionHandlers.recordLeftUnseen(visit, at: now, reason: reason, by: "system:reception", on: db)
            }
            return stale.count
        }
        if closed > 0 { logger.info("visits from an earlier day closed as left unseen", metadata: ["count": "\(closed)"]) }
        return closed
    }
}

import ClinicService
import ClinicStore
import Foundation
import Logging

/// The wait-prompt job: every patient still waiting past each threshold is published once as WaitPromptDue (the
/// desk's screen shows the same prompt in the queue view), even with several reception instances running it.
public enum WaitPromptJob {
    /// The job ServiceHost runs every `policy.promptIntervalSeconds`.
    public static func job(_ policy: ReceptionPolicy) -> BackgroundJob {
        BackgroundJob(name: "wait-prompts", interval: .seconds(policy.promptIntervalSeconds)) { db, environment in
            _ = try run(policy.prompts, now: Date().inStoredPrecision, logger: environment.logger, on: db)
        }
    }

    /// One run: marks and publishes, in one transaction, the prompts due at `now`; returns how many went out.
    @discardableResult
    public static func run(_ prompts: WaitPrompts, now: Date, logger: Logger, on db: Connection) throws -> Int {
        let published = try db.transaction { db -> Int in
            let educate = try VisitStore.markPromptsDue(column: "educate_prompted_at", minutes: prompts.educateAfterMinutes, now: now, on: db)
            for visit in educate {
                try ReceptionEvents.waitPromptDue(visit, prompt: .educate, thresholdMinutes: prompts.educateAfterMinutes, on: db)
            }
            let newTime = try VisitStore.markPromptsDue(column: "new_time_prompted_at", minutes: prompts.offerNewTimeAfterMinutes, now: now, on: db)
            for visit in newTime {
                try ReceptionEvents.waitPromptDue(visit, prompt: .offerNewTime, thresholdMinutes: prompts.offerNewTimeAfterMinutes, on: db)
            }
            return educate.count + newTime.count
        }
        if published > 0 { logger.info("wait prompts published", metadata: ["count": "\(published)"]) }
        return published
    }
}

import ClinicProto
import ClinicService
import ClinicStore
import Foundation

/// The follow-up service: call plans from treatments by an editable rule table, appointment reminders and no-show
/// calls, work lists, call results, patient messages for senders to claim, complaints and their escalation, reports.
public enum FollowUpService {
    /// Short name: database role, schema and event publisher.
    public static let name = "followup"

    /// Follow-up's numbered SQL migrations, shipped as resources next to the code.
    public static func migrations() throws -> [Migration] {
        (try Migration.load(bundle: .module, service: name) + [DefaultRules.migration]).sorted { $0.version < $1.version }
    }

    /// Follow-up's outbox.
    static let events = EventOutbox(publisher: name)

    /// Everything a process needs to run follow-up.
    public static func definition(policy: FollowUpPolicy = FollowUpPolicy()) throws -> ServiceDefinition {
        ServiceDefinition(name: name, busService: Clinic_Followup_V1_FollowUps.busService,
                          migrations: try migrations(),
                          eventSources: [StaffFollower.source, ReceptionFollower.source, SchedulingFollower.source],
                          makeEventHandlers: { environment in
                              let handlers = EventHandlers()
                              let clock = ClinicClock(timeZone: environment.timeZone)
                              StaffFollower.register(on: handlers, logger: environment.logger)
                              ReceptionFollower.register(on: handlers, clock: clock, policy: policy, logger: environment.logger)
                              SchedulingFollower.register(on: handlers, clock: clock, policy: policy, logger: environment.logger)
                              return handlers
                          },
                          backgroundJobs: [clockJob(policy)],
                          replay: Clinic_Followup_V1_Events.replay) { db, environment in
            FollowUpHandlers(db: db, clock: ClinicClock(timeZone: environment.timeZone), policy: policy,
                             logger: environment.logger).routes()
        }
    }

    /// The job that keeps follow-up's day: the 16:00 check, the day-end rollover and complaint escalation.
    static func clockJob(_ policy: FollowUpPolicy) -> BackgroundJob {
        BackgroundJob(name: "follow-up-day", interval: .seconds(policy.jobIntervalSeconds)) { db, environment in
            let clock = ClinicClock(timeZone: environment.timeZone)
            let now = Date().inStoredPrecision
            try DayEndRollover.run(clock: clock, now: now, logger: environment.logger, on: db)
            try DailyCheck.run(clock: clock, policy: policy, now: now, logger: environment.logger, on: db)
            try ComplaintEscalation.run(clock: clock, policy: policy, now: now, logger: environment.logger, on: db)
        }
    }

    /// Every rpc the contract declares for this service, for coverage checks.
    public static var contractMethods: Set<String> {
        Set(Clinic_Followup_V1_FollowUps.allMethods + Clinic_Followup_V1_FollowUpRules.allMethods + Clinic_Followup_V1_Messages.allMethods
            + Clinic_Followup_V1_Complaints.allMethods + Clinic_Followup_V1_FollowUpReports.allMethods
            + Clinic_Followup_V1_Events.allMethods)
    }
}

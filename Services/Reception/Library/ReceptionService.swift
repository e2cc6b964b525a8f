import ClinicProto
import ClinicService
import ClinicStore
import Foundation

/// The reception service: patient records, visits and their treatments, the waiting queue per doctor, doctor
/// assignment and phone consultations.
public enum ReceptionService {
    /// Short name: database role, schema and event publisher.
    public static let name = "reception"

    /// Reception's numbered SQL migrations, shipped as resources next to the code.
    public static func migrations() throws -> [Migration] { try Migration.load(bundle: .module, service: name) }

    /// Reception's outbox.
    static let events = EventOutbox(publisher: name)

    /// Everything a process needs to run reception.
    public static func definition(policy: ReceptionPolicy = ReceptionPolicy()) throws -> ServiceDefinition {
        // Every reception statement is written so its plan does not depend on the values bound to it, so each is
        // planned once: the patient read would otherwise be planned again at every execution once the table grows.
        ServiceDefinition(name: name, busService: Clinic_Reception_V1_Reception.busService,
                          migrations: try migrations(),
                          eventSources: [BillingFollower.source],
                          makeEventHandlers: { BillingFollower.handlers(environment: $0) },
                          backgroundJobs: [WaitPromptJob.job(policy), DayEndSweep.job(policy)],
                          planCaching: .generic,
                          replay: Clinic_Reception_V1_Events.replay) { db, environment in
            ReceptionHandlers(db: db, calendar: ClinicClock(timeZone: environment.timeZone), policy: policy,
                              logger: environment.logger).routes()
        }
    }

    /// Every rpc the contract declares for this service, for coverage checks.
    public static var contractMethods: Set<String> {
        Set(Clinic_Reception_V1_Reception.allMethods + Clinic_Reception_V1_Events.allMethods)
    }
}

import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import Foundation

/// The scheduling service: doctors, chairs, rosters, leave, and an appointment book that never double-books.
public enum SchedulingService {
    /// Short name: database role, schema and event publisher.
    public static let name = "scheduling"

    /// Scheduling's numbered SQL migrations, shipped as resources next to the code.
    public static func migrations() throws -> [Migration] { try Migration.load(bundle: .module, service: name) }

    /// Scheduling's outbox.
    static let events = EventOutbox(publisher: name)

    /// Everything a process needs to run scheduling, with the no-show job set by `noShow`.
    public static func definition(noShow: NoShowPolicy = NoShowPolicy()) throws -> ServiceDefinition {
        ServiceDefinition(name: name, busService: Clinic_Scheduling_V1_Scheduling.busService,
                          migrations: try migrations(),
                          eventSources: [ReceptionFollower.source],
                          makeEventHandlers: { ReceptionFollower.handlers(environment: $0) },
                          backgroundJobs: [NoShowSweep.job(noShow)],
                          replay: Clinic_Scheduling_V1_Events.replay) { db, environment in
            SchedulingHandlers(db: db, environment: environment).routes()
        }
    }

    /// The rpc routes of one worker thread over `db`, as the host builds them (tests compare them with the contract).
    public static func routes(db: Connection, environment: ServiceEnvironment) throws -> WorkerRoutes {
        try definition().routes(db: db, environment: environment)
    }

    /// Every rpc the contract declares for this service, for coverage checks.
    public static var contractMethods: Set<String> {
        Set(Clinic_Scheduling_V1_Scheduling.allMethods + Clinic_Scheduling_V1_Events.allMethods)
    }
}

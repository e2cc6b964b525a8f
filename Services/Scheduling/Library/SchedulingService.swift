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
    public static func migrations() throws -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw StoreError(kind: .migration, message: "scheduling's Migrations folder is missing from the bundle")
        }
        return try Migration.load(directory: directory)
    }

    /// Everything a process needs to run scheduling, with the no-show job set by `noShow`.
    public static func definition(noShow: NoShowPolicy = NoShowPolicy()) throws -> ServiceDefinition {
        ServiceDefinition(name: name, busService: Clinic_Scheduling_V1_Scheduling.busService,
                          migrations: try migrations()) { db, environment in
            let routes = WorkerRoutes()
            EventReplay.register(Clinic_Scheduling_V1_Events.replay, publisher: name, on: routes, db: db)
            return routes
        }
    }

    /// Every rpc the contract declares for this service, for coverage checks.
    public static var contractMethods: Set<String> {
        Set(Clinic_Scheduling_V1_Scheduling.allMethods + Clinic_Scheduling_V1_Events.allMethods)
    }
}

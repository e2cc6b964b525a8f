import ClinicProto
import ClinicService
import ClinicStore
import Foundation

/// The staff service: members of staff and their roles, passwords, sign-in with signed tokens, lock-out, sign-out,
/// the sign-in audit, and the keys every verifier trusts.
public enum StaffService {
    /// Short name: database role, schema and event publisher.
    public static let name = "staff"

    /// Staff's numbered SQL migrations, shipped as resources next to the code.
    public static func migrations() throws -> [Migration] { try Migration.load(bundle: .module, service: name) }

    /// Staff's outbox.
    static let events = EventOutbox(publisher: name)

    /// Everything a process needs to run staff with `configuration`; throws when a setting is out of range.
    public static func definition(configuration: StaffConfiguration = StaffConfiguration()) throws -> ServiceDefinition {
        try configuration.validate()
        // One hasher and one issuer for the process: the issuer's keys are shared by every worker thread.
        let hasher = PasswordHasher(cost: configuration.bcryptCost)
        let issuer = TokenIssuer(lifetime: configuration.tokenLifetime)
        let lifetime = configuration.tokenLifetime
        return ServiceDefinition(
            name: name, busService: Clinic_Staff_V1_Staff.busService, migrations: try migrations(),
            backgroundJobs: [KeyRotationJob.job(configuration)],
            replay: Clinic_Staff_V1_Events.replay,
            // Staff verifies tokens from its own tables: over the bus it would be calling itself.
            trustSource: { databaseURL, logger in
                LocalStaffTrustSource(databaseURL: databaseURL, tokenLifetime: lifetime, logger: logger)
            }
        ) { db, environment in
            StaffHandlers(db: db, configuration: configuration, hasher: hasher, issuer: issuer, logger: environment.logger).routes()
        }
    }

    /// Every rpc the contract declares for this service, for coverage checks.
    public static var contractMethods: Set<String> {
        Set(Clinic_Staff_V1_Staff.allMethods + Clinic_Staff_V1_Events.allMethods)
    }
}

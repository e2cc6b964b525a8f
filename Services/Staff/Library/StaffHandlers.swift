import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import Foundation
import Logging

/// Staff's rpc handlers for one worker thread: protobuf in, domain rules, SQL, protobuf out. The members rpcs
/// live in `StaffHandlers+Members.swift`, sign-in and sessions in `+Sessions`, signing keys in `+Keys`.
final class StaffHandlers {
    let db: Connection
    let configuration: StaffConfiguration
    let hasher: PasswordHasher
    let issuer: TokenIssuer
    let logger: Logger

    /// Handlers bound to this thread's own database connection, sharing the process's hasher and issuer.
    init(db: Connection, configuration: StaffConfiguration, hasher: PasswordHasher, issuer: TokenIssuer, logger: Logger) {
        self.db = db
        self.configuration = configuration
        self.hasher = hasher
        self.issuer = issuer
        self.logger = logger
    }

    /// Every Staff rpc, registered on one set of routes (`Events/Replay` is added by the service definition).
    func routes() -> WorkerRoutes {
        let routes = WorkerRoutes()
        typealias Staff = Clinic_Staff_V1_Staff
        routes.register(Staff.signIn) { try self.signIn($0, $1) }
        routes.register(Staff.signOut) { try self.signOut($0, $1) }
        routes.register(Staff.getMe) { try self.getMe($0, $1) }
        routes.register(Staff.changePassword) { try self.changePassword($0, $1) }
        routes.register(Staff.createMember) { try self.createMember($0, $1) }
        routes.register(Staff.getMember) { try self.getMember($0, $1) }
        routes.register(Staff.listMembers) { try self.listMembers($0, $1) }
        routes.register(Staff.updateMember) { try self.updateMember($0, $1) }
        routes.register(Staff.deactivateMember) { try self.deactivateMember($0, $1) }
        routes.register(Staff.setPassword) { try self.setPassword($0, $1) }
        routes.register(Staff.listSignIns) { try self.listSignIns($0, $1) }
        routes.register(Staff.rotateSigningKey) { try self.rotateSigningKey($0, $1) }
        routes.register(Staff.listSigningKeys) { try self.listSigningKeys($0, $1) }
        routes.register(Staff.getRevocations) { try self.getRevocations($0, $1) }
        return routes
    }

    /// The signed-in caller's member id (the gate admitted a verified token, so it is one).
    func callerID(_ context: RequestContext) throws -> UUID {
        guard let id = UUID(uuidString: context.caller.staffID) else { throw StaffError.callerNotOnFile }
        return id
    }

    /// Checks a new password against the policy, naming `field` when refused.
    func checkPolicy(_ password: String, account: String, field: String) throws {
        do { try PasswordPolicy.check(password, account: account) } catch { throw StaffError.weakPassword(field: field, error) }
    }
}

import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import Logging
import Synchronization
@testable import Staff

/// A real broker, a real staff service on a fresh schema with its first admin bootstrapped as
/// `clinic-staff bootstrap-admin` does it, and a bus client. Everything the service logs is kept, to check that
/// no password or token is ever written.
final class StaffHarness: Sendable {
    typealias Staff = Clinic_Staff_V1_Staff
    static let adminAccount = "admin"
    static let adminPassword = "first-admin-secret"

    let broker: Broker
    let endpoints: Broker.Endpoints
    let host: ServiceHost
    let client: BusClient
    let databaseURL: String
    let configuration: StaffConfiguration
    let logs: LogCapture

    /// Heartbeat interval of the broker and the workers.
    static let heartbeat: Duration = .milliseconds(300)

    /// Quick settings for tests: bcrypt at its lowest cost.
    static let testConfiguration = StaffConfiguration(bcryptCost: 4)

    /// Starts everything; blocking, so made on a thread of its own by `start`.
    private init(configuration: StaffConfiguration, workers: Int) throws {
        self.configuration = configuration
        logs = LogCapture()
        let logger = logs.logger(label: "test.staff")
        // Heartbeats slower than the bus tests': this machine is shared, and a stall of half a second under load must
        // not pass for a dead worker.
        (broker, endpoints) = try TestBroker.start(heartbeat: Self.heartbeat, logger: logs.logger(label: "test.broker"))
        databaseURL = try TestDatabase.shared().makeService(prefix: "staff").url
        // The first admin, through the code `clinic-staff bootstrap-admin` runs (which migrates first).
        _ = try AdminBootstrap.run(account: Self.adminAccount, name: "管理员", password: Self.adminPassword,
                                   databaseURL: databaseURL, configuration: configuration, logger: logger)
        let settings = ServiceSettings(bus: endpoints.requests, eventsIn: endpoints.eventsIn, eventsOut: endpoints.eventsOut,
                                       databaseURL: databaseURL, workers: workers, heartbeat: Self.heartbeat)
        host = try ServiceHost(try StaffService.definition(configuration: configuration), settings: settings, logger: logger)
        client = try BusClient(endpoint: endpoints.requests, logger: TestDatabase.logger)
    }

    /// A running harness.
    static func start(configuration: StaffConfiguration = testConfiguration, workers: Int = 2) async throws -> StaffHarness {
        try await onThread { try StaffHarness(configuration: configuration, workers: workers) }
    }

    /// Calls a staff rpc with `token` in the request header ("" for none).
    func call<Request, Response>(_ method: Method<Request, Response>, _ request: Request, token: String = "",
                                 clientAddress: String = "") async throws -> Response {
        var options = CallOptions(timeout: .seconds(10), token: token)
        options.clientAddress = clientAddress
        return try await client.call(method, request, options: options)
    }

    /// Signs in and returns the response.
    func signIn(_ account: String, _ password: String, clientAddress: String = "") async throws -> Clinic_Staff_V1_SignInResponse {
        var request = Clinic_Staff_V1_SignInRequest()
        request.account = account
        request.password = password
        return try await call(Staff.signIn, request, clientAddress: clientAddress)
    }

    /// A fresh token of the bootstrapped admin.
    func adminToken() async throws -> String { try await signIn(Self.adminAccount, Self.adminPassword).token }

    /// Adds a member as the admin; with a password unless `password` is nil.
    func addMember(_ account: String, roles: [StaffRole] = [.desk], password: String? = "desk-password-1",
                   name: String = "李前台", adminToken: String) async throws -> Clinic_Staff_V1_StaffMember {
        var request = Clinic_Staff_V1_CreateMemberRequest()
        request.account = account
        request.name = name
        request.roles = roles
        if let password { request.password = password }
        return try await call(Staff.createMember, request, token: adminToken)
    }

    /// A verifier fed from the staff tables, as the service's own gate is (not sharing its state).
    func verifier() -> StaffTokenVerifier {
        StaffTokenVerifier(source: LocalStaffTrustSource(databaseURL: databaseURL, tokenLifetime: configuration.tokenLifetime,
                                                         logger: TestDatabase.logger), logger: TestDatabase.logger)
    }

    /// Runs `body` with a connection to the service's schema, on a thread of its own.
    @discardableResult
    func inDatabase<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        let url = databaseURL
        return try await onThread {
            let db = try Connection(url: url, logger: TestDatabase.logger)
            defer { db.close() }
            return try body(db)
        }
    }

    /// The types of the events in the outbox, oldest first.
    func outboxTypes() async throws -> [String] {
        try await inDatabase { db in try db.query("SELECT type FROM outbox ORDER BY id").map { try $0.decode("type") } }
    }

    func stop() {
        client.close()
        host.stop()
        broker.stop()
    }
}

extension Result where Failure == RPCError {
    /// The error's message, "" on success.
    var message: String { error?.message ?? "" }
}

import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import Logging
@testable import Reception
import Scheduling

/// A real broker, a real reception service (2 worker threads) on a fresh schema, and a bus client; with
/// `scheduling`, a real scheduling service too (where reception looks up doctors and appointments).
final class ReceptionHarness: Sendable {
    let broker: Broker
    let endpoints: Broker.Endpoints
    let host: ServiceHost
    let scheduling: ServiceHost?
    let client: BusClient
    let databaseURL: String
    let settings: ServiceSettings
    static let logger = Logger(label: "test.reception")

    init(scheduling withScheduling: Bool = false, policy: ReceptionPolicy = ReceptionPolicy(promptIntervalSeconds: 3600)) throws {
        (broker, endpoints) = try TestBroker.start(logger: Self.logger)
        let cluster = try TestDatabase.shared()
        databaseURL = try cluster.makeService(prefix: "reception").url
        settings = ServiceSettings(bus: endpoints.requests, eventsIn: endpoints.eventsIn, eventsOut: endpoints.eventsOut,
                                   databaseURL: databaseURL, workers: 2, heartbeat: .milliseconds(100))
        host = try ServiceHost(try ReceptionService.definition(policy: policy).trusting(TestStaff.trust), settings: settings, logger: Self.logger)
        if withScheduling {
            var schedulingSettings = settings
            schedulingSettings.databaseURL = try cluster.makeService(prefix: "scheduling").url
            scheduling = try ServiceHost(try SchedulingService.definition(noShow: NoShowPolicy(graceMinutes: 15, intervalSeconds: 3600))
                                            .trusting(TestStaff.trust), settings: schedulingSettings, logger: Self.logger)
        } else {
            scheduling = nil
        }
        client = try BusClient(endpoint: endpoints.requests, logger: Self.logger)
    }

    /// Calls an rpc as a member of staff holding `roles` (a supervisor by default).
    func call<Request, Response>(_ method: Method<Request, Response>, _ request: Request, as roles: [StaffRole] = [.supervisor],
                                 idempotencyKey: String = "") async throws -> Response {
        try await client.call(method, request, options: await .staff(roles, timeout: .seconds(10), idempotencyKey: idempotencyKey))
    }

    /// The rpc's error, or nil when it succeeded.
    func failure<Request, Response>(_ method: Method<Request, Response>, _ request: Request,
                                    as roles: [StaffRole] = [.supervisor]) async -> RPCError? {
        await rpcResult { try await call(method, request, as: roles) }.error
    }

    /// A direct connection to the service's schema, for checking what was stored.
    func database() throws -> Connection { try Connection(url: databaseURL, logger: Self.logger) }

    func stop() {
        client.close()
        scheduling?.stop()
        host.stop()
        broker.stop()
    }
}

/// A registration request with a unique phone.
func newPatient(name: String = "测试患者", birthDate: String = "1990-05-01", phone: String? = nil) -> Clinic_Reception_V1_RegisterPatientRequest {
    var request = Clinic_Reception_V1_RegisterPatientRequest()
    request.name = name
    request.birthDate = birthDate
    request.phone = phone ?? uniquePhone()
    request.gender = .female
    return request
}

/// A random, valid mainland mobile number.
func uniquePhone() -> String { "13\(Int.random(in: 3...9))\(String(format: "%08d", Int.random(in: 0..<100_000_000)))" }

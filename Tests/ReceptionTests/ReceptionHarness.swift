import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import Logging
@testable import Reception

/// A real broker, a real reception service (2 worker threads) on a fresh schema, and a bus client.
final class ReceptionHarness: Sendable {
    let broker: Broker
    let endpoints: Broker.Endpoints
    let host: ServiceHost
    let client: BusClient
    let databaseURL: String
    let settings: ServiceSettings
    static let logger = Logger(label: "test.reception")

    init() throws {
        (broker, endpoints) = try TestBroker.start(logger: Self.logger)
        databaseURL = try TestDatabase.shared().makeService(prefix: "reception").url
        settings = ServiceSettings(bus: endpoints.requests, eventsIn: endpoints.eventsIn, eventsOut: endpoints.eventsOut,
                                   databaseURL: databaseURL, workers: 2, heartbeat: .milliseconds(100))
        host = try ServiceHost(try ReceptionService.definition().trusting(TestStaff.trust), settings: settings, logger: Self.logger)
        client = try BusClient(endpoint: endpoints.requests, logger: Self.logger)
    }

    /// Calls a reception rpc as a member of the desk staff.
    func call<Request, Response>(_ method: Method<Request, Response>, _ request: Request,
                                 idempotencyKey: String = "") async throws -> Response {
        try await client.call(method, request, options: await .staff(timeout: .seconds(5), idempotencyKey: idempotencyKey))
    }

    /// A direct connection to the service's schema, for checking what was stored.
    func database() throws -> Connection { try Connection(url: databaseURL, logger: Self.logger) }

    func stop() {
        client.close()
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

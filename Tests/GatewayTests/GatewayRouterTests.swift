import ClinicBus
import ClinicProto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import ClinicTestSupport
import Testing
@testable import Gateway

/// A real broker and a worker pool answering the reception methods with test behaviour.
final class TestBackend: Sendable {
    let broker: Broker
    let workers: WorkerPool
    let client: BusClient
    static let logger = Logger(label: "test.gateway")

    init() throws {
        let (broker, endpoints) = try TestBroker.start(logger: Self.logger)
        self.broker = broker
        let endpoint = endpoints.requests
        workers = WorkerPool(configuration: .init(brokerEndpoint: endpoint, service: "clinic.reception.v1", threads: 2,
                                                  heartbeatInterval: .milliseconds(100)),
                             logger: Self.logger) { _ in Self.routes() }
        try workers.start()
        client = try BusClient(endpoint: endpoint, logger: Self.logger)
    }

    /// Handlers that make every gateway path observable.
    static func routes() -> WorkerRoutes {
        typealias Reception = Clinic_Reception_V1_Reception
        let routes = WorkerRoutes()
        routes.register(Reception.registerPatient) { context, request in
            guard !request.name.isEmpty else { throw RPCError.invalidArgument(field: "name", "is required") }
            var patient = Clinic_Reception_V1_Patient()
            patient.id = "10000000-0000-4000-8000-000000000001"
            patient.name = request.name
            patient.phone = request.phone
            // Echo what the gateway put in the header, so tests can see it.
            patient.notes = "\(context.header.caller.system)|\(context.header.caller.subject)|\(context.header.caller.role)|\(context.idempotencyKey)"
            return patient
        }
        routes.register(Reception.getPatient) { _, request in
            guard request.patientID == "10000000-0000-4000-8000-000000000001" else { throw RPCError.notFound("patient not found") }
            var patient = Clinic_Reception_V1_Patient()
            patient.id = request.patientID
            patient.notes = request.reason
            return patient
        }
        routes.register(Reception.searchPatients) { context, request in
            if request.query == "slow" { Thread.sleep(forTimeInterval: 0.5) }
            var response = Clinic_Reception_V1_SearchPatientsResponse()
            var summary = Clinic_Reception_V1_PatientSummary()
            summary.name = request.query
            summary.age = request.page.pageSize
            response.patients = [summary]
            return response
        }
        routes.register(Reception.updatePatientContact) { _, request in
            throw RPCError(.aborted, "patient \(request.patientID) changed meanwhile")
        }
        routes.register(Reception.listContactChanges) { _, _ in
            throw RPCError.failedPrecondition("history is archived")
        }
        return routes
    }

    func stop() {
        client.close()
        workers.stop()
        broker.stop()
    }
}

@Suite("Gateway over a real bus")
struct GatewayRouterTests {
    func withGateway(_ test: @Sendable (any TestClientProtocol, GatewayMetrics) async throws -> Void) async throws {
        let backend = try TestBackend()
        defer { backend.stop() }
        let metrics = GatewayMetrics()
        let router = GatewayRouter.build(transport: backend.client, metrics: metrics) {
            await backend.client.serviceAvailable("clinic.reception.v1", timeout: .seconds(1)) ? [] : ["clinic.reception.v1"]
        }
        let app = Application(router: router)
        try await app.test(.router) { client in try await test(client, metrics) }
    }

    static func json(_ response: TestResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
    }

    @Test func postBindsTheBodyAndPassesCallerAndIdempotencyKey() async throws {
        try await withGateway { client, _ in
            let headers: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "key-1", HTTPField.Name("X-Staff-Id")!: "desk-7",
                                       HTTPField.Name("X-Staff-Role")!: "desk", HTTPField.Name("X-Request-Id")!: "req-42"]
            try await client.execute(uri: "/v1/patients", method: .post, headers: headers,
                                     body: ByteBuffer(string: #"{"name":"王芳","birthDate":"1990-05-01","phone":"13800000000"}"#)) { response in
                #expect(response.status == .created)
                #expect(response.headers[.contentType] == "application/json")
                #expect(response.headers[HTTPField.Name("X-Request-Id")!] == "req-42")
                let body = Self.json(response)
                #expect(body["name"] as? String == "王芳")
                #expect(body["notes"] as? String == "clinic-gateway|desk-7|desk|key-1")
            }
        }
    }

    @Test func pathAndQueryParametersReachTheRPC() async throws {
        try await withGateway { client, _ in
            try await client.execute(uri: "/v1/patients/10000000-0000-4000-8000-000000000001?reason=recall", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Self.json(response)["notes"] as? String == "recall")
            }
            try await client.execute(uri: "/v1/patients?query=%E7%8E%8B&page_size=7", method: .get) { response in
                let patients = Self.json(response)["patients"] as? [[String: Any]]
                #expect(patients?.first?["name"] as? String == "王")
                #expect(patients?.first?["age"] as? Int == 7)
            }
            // The JSON name of a mapped parameter and the nested field's own path work as well.
            for uri in ["/v1/patients?query=%E7%8E%8B&pageSize=7", "/v1/patients?query=%E7%8E%8B&page.pageSize=7"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok, "\(uri)")
                    #expect((Self.json(response)["patients"] as? [[String: Any]])?.first?["age"] as? Int == 7, "\(uri)")
                }
            }
        }
    }

    @Test func rpcErrorsMapToHTTPStatusAndBody() async throws {
        try await withGateway { client, _ in
            try await client.execute(uri: "/v1/patients", method: .post, body: ByteBuffer(string: "{}")) { response in
                #expect(response.status == .badRequest)
                let body = Self.json(response)
                #expect(body["code"] as? Int == 3)
                #expect((body["details"] as? [[String: String]])?.first?["field"] == "name")
            }
            try await client.execute(uri: "/v1/patients/10000000-0000-4000-8000-0000000000ff", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(Self.json(response)["code"] as? Int == 5)
                #expect(Self.json(response)["details"] as? [Any] != nil)
            }
            try await client.execute(uri: "/v1/patients/10000000-0000-4000-8000-000000000001/contact", method: .patch, body: ByteBuffer(string: #"{"address":"x"}"#)) { response in
                #expect(response.status == .conflict)
            }
            try await client.execute(uri: "/v1/patients/10000000-0000-4000-8000-000000000001/contact-changes", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(Self.json(response)["code"] as? Int == 9)
            }
            try await client.execute(uri: "/v1/patients", method: .post, body: ByteBuffer(string: #"{"nome":"typo"}"#)) { response in
                #expect(response.status == .badRequest)
                #expect((Self.json(response)["details"] as? [[String: String]])?.first?["field"] == "nome")
            }
            try await client.execute(uri: "/v1/patients/10000000-0000-4000-8000-000000000001", method: .delete) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[HTTPField.Name("Allow")!] == "GET")
                #expect(Self.json(response)["code"] as? Int == 12)
            }
            try await client.execute(uri: "/v1/nowhere", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(Self.json(response)["message"] as? String == "no such route")
            }
        }
    }

    @Test func aBodyOverTheLimitIs413WithTheLimitStated() async throws {
        try await withGateway { client, _ in
            let large = ByteBuffer(string: #"{"name":""# + String(repeating: "x", count: GatewayRouter.maxBodyBytes) + #""}"#)
            try await client.execute(uri: "/v1/patients", method: .post, body: large) { response in
                #expect(response.status == .contentTooLarge)
                let body = Self.json(response)
                #expect(body["code"] as? Int == 8)
                #expect((body["message"] as? String)?.contains("\(GatewayRouter.maxBodyBytes) bytes") == true)
                #expect((body["details"] as? [[String: String]])?.first?["field"] == "body")
            }
        }
    }

    @Test func fieldViolationsAreTheSameOverHTTPAndOverTheBus() async throws {
        let backend = try TestBackend()
        defer { backend.stop() }
        let json = #"{"name":"  ","birthDate":"1990-02-30","phone":"555-1234","allergies":["青霉素",""],"preferredDoctorId":"dr-wang"}"#
        var request = try Clinic_Reception_V1_RegisterPatientRequest(jsonString: json)
        request.gender = .UNRECOGNIZED(7)
        var overBus: [FieldViolation] = []
        do {
            _ = try await backend.client.call(Clinic_Reception_V1_Reception.registerPatient, request)
            Issue.record("an invalid registration was accepted over the bus")
        } catch let error as RPCError {
            #expect(error.code == .invalidArgument)
            overBus = error.violations
        }
        #expect(overBus.map(\.field) == ["name", "gender", "birthDate", "phone", "allergies[1]", "preferredDoctorId"])
        #expect(!overBus.contains { $0.description_p.contains("555") })

        let expected = overBus
        let router = GatewayRouter.build(transport: backend.client, metrics: GatewayMetrics()) { [] }
        try await Application(router: router).test(.router) { client in
            // Over HTTP the unknown enum number comes as a number too (proto3 JSON takes either).
            let body = String(json.dropLast()) + #","gender":7}"#
            try await client.execute(uri: "/v1/patients", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .badRequest)
                let details = (Self.json(response)["details"] as? [[String: String]]) ?? []
                #expect(details.map { $0["field"] ?? "" } == expected.map(\.field))
                #expect(details.map { $0["description"] ?? "" } == expected.map(\.description_p))
            }
        }
    }

    @Test func grpcTimeoutBecomesTheDeadline() async throws {
        try await withGateway { client, _ in
            try await client.execute(uri: "/v1/patients?query=slow", method: .get,
                                     headers: [HTTPField.Name("Grpc-Timeout")!: "100m"]) { response in
                #expect(response.status == .gatewayTimeout)
                #expect(Self.json(response)["code"] as? Int == 4)
            }
            try await client.execute(uri: "/v1/patients?query=fast", method: .get,
                                     headers: [HTTPField.Name("Grpc-Timeout")!: "soon"]) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test func healthReadinessMetricsAndOpenAPI() async throws {
        try await withGateway { client, _ in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/patients/10000000-0000-4000-8000-000000000001", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(#"clinic_gateway_requests_total{route="/v1/patients/{patient_id}",method="GET",status="200"} 1"#))
                #expect(text.contains("clinic_gateway_request_duration_seconds_bucket"))
            }
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                let document = Self.json(response)
                let paths = try #require(document["paths"] as? [String: [String: Any]])
                let served = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
                let table = Set(GatewayRoutes.all.map { "\($0.method.rawValue) \($0.path)" })
                #expect(served == table)
            }
        }
    }

    @Test func readinessFailsWithoutWorkers() async throws {
        let (broker, endpoints) = try TestBroker.start(logger: TestBackend.logger)
        defer { broker.stop() }
        let client = try BusClient(endpoint: endpoints.requests, logger: TestBackend.logger)
        defer { client.close() }
        let router = GatewayRouter.build(transport: client, metrics: GatewayMetrics()) {
            await client.serviceAvailable("clinic.reception.v1", timeout: .milliseconds(300)) ? [] : ["clinic.reception.v1"]
        }
        try await Application(router: router).test(.router) { http in
            try await http.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect((Self.json(response)["message"] as? String)?.contains("clinic.reception.v1") == true)
            }
            try await http.execute(uri: "/v1/patients/10000000-0000-4000-8000-000000000001", method: .get, headers: [HTTPField.Name("Grpc-Timeout")!: "200m"]) { response in
                #expect([503, 504].contains(response.status.code))
            }
        }
    }
}

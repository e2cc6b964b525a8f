import ClinicBus
import ClinicProto
import Foundation
import Logging

/// A broker on free loopback ports with a 100 ms heartbeat, plus helpers to start workers and clients.
final class TestBus: Sendable {
    static let heartbeat: Duration = .milliseconds(100)
    static let echoA = Method<Clinic_Bus_V1_Event, Clinic_Bus_V1_Event>("clinic.testa.v1.Echo/Echo", access: .open)
    static let echoB = Method<Clinic_Bus_V1_Event, Clinic_Bus_V1_Event>("clinic.testb.v1.Echo/Echo", access: .open)

    let logger: Logger
    let broker: Broker
    let endpoints: Broker.Endpoints

    init() throws {
        var logger = Logger(label: "bus-test")
        logger.logLevel = .critical
        self.logger = logger
        broker = Broker(configuration: BrokerConfiguration(endpoint: "tcp://127.0.0.1:*", eventsIn: "tcp://127.0.0.1:*",
                                                           eventsOut: "tcp://127.0.0.1:*", heartbeatInterval: Self.heartbeat,
                                                           maxMessageBytes: 64 * 1024),
                        logger: logger)
        try broker.start()
        guard let endpoints = broker.endpoints else { throw BusError(operation: "test bus", reason: "no endpoints") }
        self.endpoints = endpoints
    }

    /// A pool serving `method` with an echo that stamps `tag` and the thread index into `header.publisher`.
    func echoPool(_ method: Method<Clinic_Bus_V1_Event, Clinic_Bus_V1_Event>, tag: String, threads: Int = 1,
                  delay: TimeInterval = 0) throws -> WorkerPool {
        let pool = WorkerPool(configuration: WorkerConfiguration(brokerEndpoint: endpoints.requests, service: method.busService,
                                                                 threads: threads, heartbeatInterval: Self.heartbeat,
                                                                 maxMessageBytes: 64 * 1024),
                              logger: logger) { index in
            let routes = WorkerRoutes()
            routes.register(method) { _, request in
                if delay > 0 { Thread.sleep(forTimeInterval: delay) }
                var response = request
                response.header.publisher = "\(tag)-\(index)"
                return response
            }
            return routes
        }
        try pool.start()
        return pool
    }

    func client() throws -> BusClient { try BusClient(endpoint: endpoints.requests, logger: logger) }

    func stop() { broker.stop() }

    static func call(_ client: BusClient, _ method: Method<Clinic_Bus_V1_Event, Clinic_Bus_V1_Event>,
                     timeout: Duration = .seconds(3), payload: String = "hello") async throws -> Clinic_Bus_V1_Event {
        var request = Clinic_Bus_V1_Event()
        request.payload = Data(payload.utf8)
        return try await client.call(method, request, options: CallOptions(timeout: timeout))
    }
}

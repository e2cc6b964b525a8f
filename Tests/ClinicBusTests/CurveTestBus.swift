@testable import ClinicBus
import ClinicProto
import Foundation
import Logging
import Synchronization

/// A broker with CURVE on free loopback ports, its keys in a fresh temporary folder, plus helpers to start workers,
/// clients and event sockets as named peers.
final class CurveTestBus: Sendable {
    let logger: Logger
    let broker: Broker
    let endpoints: Broker.Endpoints
    let folder: URL
    let serverKey: CurveKeyPair
    /// Key pairs by peer name: listed ones, and a few made but never listed.
    let keys: [String: CurveKeyPair]

    /// Lists every name of `listed` (with extra services it may serve) in the authorized keys; `unlisted` names
    /// get key pairs the broker does not know.
    init(listed: [String: [String]], unlisted: [String] = []) throws {
        var logger = Logger(label: "curve-test")
        logger.logLevel = .critical
        self.logger = logger
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("clinic-curve-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        serverKey = try CurveKeyPair.generate()
        var keys: [String: CurveKeyPair] = [:]
        for name in Array(listed.keys) + unlisted { keys[name] = try CurveKeyPair.generate() }
        self.keys = keys
        let file = folder.appendingPathComponent("authorized_keys").path
        try Self.writeAuthorizedKeys(listed.sorted { $0.key < $1.key }.map { name, services in
            AuthorizedKeys.Entry(name: name, publicKey: keys[name]!.publicKey, services: services)
        }, to: file)
        broker = Broker(configuration: BrokerConfiguration(endpoint: "tcp://127.0.0.1:*", eventsIn: "tcp://127.0.0.1:*",
                                                           eventsOut: "tcp://127.0.0.1:*", heartbeatInterval: TestBus.heartbeat,
                                                           maxMessageBytes: 64 * 1024,
                                                           security: .curve(serverKey, authorizedKeysFile: file)),
                        logger: logger)
        try broker.start()
        guard let endpoints = broker.endpoints else { throw BusError(operation: "curve test bus", reason: "no endpoints") }
        self.endpoints = endpoints
    }

    var authorizedKeysFile: String { folder.appendingPathComponent("authorized_keys").path }

    /// Writes an authorized-keys file listing `entries`.
    static func writeAuthorizedKeys(_ entries: [AuthorizedKeys.Entry], to file: String) throws {
        let text = AuthorizedKeys.fileHeader + entries.map(\.line).joined(separator: "\n") + "\n"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
    }

    /// CURVE as the peer `name` (a pair made by this bus, listed or not).
    func security(_ name: String) -> BusSecurity { .curve(keys[name]!, serverKey: serverKey.publicKey) }

    /// A pool serving `method` as `security`, whose echo puts the request's `peer` into `header.type`.
    func echoPool(_ method: Method<Clinic_Bus_V1_Event, Clinic_Bus_V1_Event>, as security: BusSecurity,
                  served: Counter? = nil) throws -> WorkerPool {
        try Self.peerEchoPool(endpoint: endpoints.requests, method, as: security, logger: logger, served: served)
    }

    /// A pool on the broker at `endpoint` serving `method` as `security`; its echo puts the request's `peer` into
    /// `header.type` and counts each request in `served`.
    static func peerEchoPool(endpoint: String, _ method: Method<Clinic_Bus_V1_Event, Clinic_Bus_V1_Event>,
                             as security: BusSecurity, logger: Logger, served: Counter? = nil) throws -> WorkerPool {
        let pool = WorkerPool(configuration: WorkerConfiguration(brokerEndpoint: endpoint, service: method.busService,
                                                                 threads: 1, heartbeatInterval: TestBus.heartbeat,
                                                                 maxMessageBytes: 64 * 1024, security: security),
                              logger: logger) { _ in
            let routes = WorkerRoutes()
            routes.register(method) { context, request in
                served?.increment()
                var response = request
                response.header.type = context.header.peer
                return response
            }
            return routes
        }
        try pool.start()
        return pool
    }

    func client(_ security: BusSecurity) throws -> BusClient {
        try BusClient(endpoint: endpoints.requests, security: security, logger: logger)
    }

    func stop() {
        broker.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    /// Calls `method` with a header whose `peer` says `forgedPeer`; returns the echoed peer the worker saw.
    static func peerSeen(by client: BusClient, _ method: Method<Clinic_Bus_V1_Event, Clinic_Bus_V1_Event>,
                         timeout: Duration = .seconds(3), forgedPeer: String = "") async throws -> String {
        var header = CallOptions(timeout: timeout).requestHeader(method: method.fullName)
        header.peer = forgedPeer
        let reply = try await client.send(service: method.busService, header: header,
                                          payload: try Clinic_Bus_V1_Event().serializedBytes())
        guard reply.header.code == .ok else { throw RPCError(reply.header.code, reply.header.message) }
        return try Clinic_Bus_V1_Event(serializedBytes: reply.payload).header.type
    }
}

/// A thread-safe count of handled requests.
final class Counter: Sendable {
    private let value = Mutex(0)
    func increment() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}

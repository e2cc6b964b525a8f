import ClinicBus
import ClinicService
import Foundation
import Logging

/// The bus with CURVE off and on, side by side in one process: a plain broker and a CURVE broker, each with its own
/// echo workers, measured in alternating rounds (which mode goes first alternates too), so that the machine's
/// drift and noise fall on both alike.
struct CurveComparison {
    /// Plain and CURVE figures for each in-flight count, over all rounds.
    struct Outcome {
        var plain: [CaseResult]
        var curve: [CaseResult]
    }

    let workers: Int
    let workerCredit: Int
    let payloadBytes: Int
    let logger: Logger

    /// Runs `rounds` rounds; each measures both modes at every count of `inFlights` for `secondsPerCase`.
    func run(rounds: Int, secondsPerCase: Double, inFlights: [Int]) async throws -> Outcome {
        let folder = KeyDirectory(FileManager.default.temporaryDirectory.path + "/clinic-bench-keys-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(atPath: folder.path) }
        let server = try folder.create(StackKeys.broker, authorize: false)
        // The echo service is clinic.bench.v1: the peer `bench` serves it, and calls it too.
        let peer = try folder.create("bench")
        let clientSecurity = BusSecurity.curve(peer, serverKey: server.publicKey)

        let plain = try EchoBus(security: .plain, workerSecurity: .plain, workers: workers, workerCredit: workerCredit, logger: logger)
        defer { plain.stop() }
        let curve = try EchoBus(security: .curve(server, authorizedKeysFile: folder.authorizedKeysFile), workerSecurity: clientSecurity,
                                workers: workers, workerCredit: workerCredit, logger: logger)
        defer { curve.stop() }
        try await plain.waitForWorkers(security: .plain)
        try await curve.waitForWorkers(security: clientSecurity)

        var plainRuns = [[EchoMeasurement]](repeating: [], count: inFlights.count)
        var curveRuns = [[EchoMeasurement]](repeating: [], count: inFlights.count)
        for round in 0..<rounds {
            let order: [(EchoBus, BusSecurity, Bool)] = [(plain, .plain, false), (curve, clientSecurity, true)]
            for (bus, security, isCurve) in round % 2 == 0 ? order : order.reversed() {
                for (index, count) in inFlights.enumerated() {
                    let (endpoint, payloadBytes) = (bus.endpoint, self.payloadBytes)
                    // Blocking socket calls: on a thread of their own, off the cooperative pool.
                    let measurement = try await ThreadedService.blocking {
                        try PipelinedCallBenchmark.run(
                            endpoint: endpoint, service: BusBenchmark.echo.busService, method: BusBenchmark.echo.fullName,
                            inFlight: count, seconds: secondsPerCase, payloadBytes: payloadBytes, security: security)
                    }
                    if isCurve { curveRuns[index].append(measurement) } else { plainRuns[index].append(measurement) }
                }
            }
            print("  round \(round + 1) of \(rounds) done")
        }
        func combined(_ runs: [[EchoMeasurement]]) -> [CaseResult] {
            zip(inFlights, runs).map { count, measurements in
                CaseResult(inFlight: count, measurement: EchoMeasurement(latenciesNS: measurements.flatMap(\.latenciesNS),
                                                                         elapsedSeconds: measurements.map(\.elapsedSeconds).reduce(0, +)))
            }
        }
        return Outcome(plain: combined(plainRuns), curve: combined(curveRuns))
    }
}

/// A broker with an echo worker pool behind it, plain or CURVE.
private final class EchoBus: Sendable {
    let broker: Broker
    let pool: WorkerPool
    let endpoint: String
    let logger: Logger

    init(security: BrokerSecurity, workerSecurity: BusSecurity, workers: Int, workerCredit: Int, logger: Logger) throws {
        self.logger = logger
        broker = Broker(configuration: BrokerConfiguration(endpoint: "tcp://127.0.0.1:*", eventsIn: "tcp://127.0.0.1:*",
                                                           eventsOut: "tcp://127.0.0.1:*", workerCredit: workerCredit,
                                                           security: security),
                        logger: logger)
        try broker.start()
        guard let endpoint = broker.endpoints?.requests else { throw BusError(operation: "bench broker", reason: "did not bind") }
        self.endpoint = endpoint
        pool = WorkerPool(configuration: WorkerConfiguration(brokerEndpoint: endpoint, service: BusBenchmark.echo.busService,
                                                             threads: workers, security: workerSecurity),
                          logger: logger) { _ in
            let routes = WorkerRoutes()
            routes.register(BusBenchmark.echo) { _, request in request }
            return routes
        }
        try pool.start()
    }

    /// Returns once a worker has registered (asked as a client with `security`).
    func waitForWorkers(security: BusSecurity) async throws {
        let client = try BusClient(endpoint: endpoint, security: security, logger: logger)
        defer { client.close() }
        let registration = ContinuousClock.now + .seconds(10)
        while await !client.serviceAvailable(BusBenchmark.echo.busService, timeout: .seconds(1)) {
            guard ContinuousClock.now < registration else {
                throw BusError(operation: "bench", reason: "echo workers did not register")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func stop() {
        pool.stop()
        broker.stop()
    }
}

import ArgumentParser
import ClinicBus
import ClinicProto
import Foundation
import Glibc
import Logging
import Synchronization

/// `clinic-bench bus`: raw libzmq echo versus a round trip through the broker to a worker, 1 and 64 in flight; then
/// the same round trips with CURVE off and on, side by side.
struct BusBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bus",
        abstract: "Raw DEALER⇄ROUTER echo versus client → broker → worker → client round trips, and CURVE off versus on.")

    @Option(help: "Seconds to measure each case.")
    var seconds: Double = 5

    @Option(help: "Requests in flight for the concurrent cases.")
    var inFlight: Int = 64

    @Option(help: "Worker threads serving the echo method behind the broker.")
    var workers: Int = 4

    @Option(help: "Request payload size in bytes.")
    var payloadBytes: Int = 32

    @Option(help: "Requests the broker lets one worker hold at once (clinic-bus defaults to 8).")
    var workerCredit: Int = 8

    @Option(help: "Alternating rounds of the CURVE off/on comparison; each mode gets --seconds per case over all rounds.")
    var curveRounds: Int = 4

    @Option(help: "Where to write the JSON results.")
    var output: String = "bench-results/bus.json"

    static let echo = Method<Clinic_Bus_V1_Event, Clinic_Bus_V1_Event>("clinic.bench.v1.Bench/Echo", access: .open)

    func run() async throws {
        var logger = Logger(label: "clinic-bench")
        logger.logLevel = .warning

        print("raw libzmq DEALER⇄ROUTER echo (no broker)")
        var raw: [CaseResult] = []
        for count in [1, inFlight] {
            let result = CaseResult(inFlight: count, measurement: try RawEchoBenchmark.run(
                inFlight: count, seconds: seconds, payloadBytes: payloadBytes))
            print("  " + result.line)
            raw.append(result)
        }
        // The same echo with the bus's message shape: five frames, as a client's request to the broker has.
        print("raw libzmq echo of messages shaped like a bus request (protocol, command, service, header, payload frames)")
        var shapeHeader = Clinic_Bus_V1_RequestHeader()
        shapeHeader.method = Self.echo.fullName
        shapeHeader.requestID = "pipelined-63"
        shapeHeader.deadlineUnixMs = Int64(Date().timeIntervalSince1970 * 1000)
        let shape: [[UInt8]] = [Array("MDPC02".utf8), [0x01], Array(Self.echo.busService.utf8), try shapeHeader.serializedBytes()]
        let shaped = CaseResult(inFlight: inFlight, measurement: try RawEchoBenchmark.run(
            inFlight: inFlight, seconds: seconds, payloadBytes: payloadBytes, leadingFrames: shape))
        print("  " + shaped.line)

        print("the same frames through a ROUTER that only forwards, to one worker that only echoes (MDP's floor)")
        let floor = CaseResult(inFlight: inFlight, measurement: try ForwardingFloorBenchmark.run(
            inFlight: inFlight, seconds: seconds, payloadBytes: payloadBytes))
        print("  " + floor.line)

        let broker = Broker(configuration: BrokerConfiguration(endpoint: "tcp://127.0.0.1:*", eventsIn: "tcp://127.0.0.1:*",
                                                               eventsOut: "tcp://127.0.0.1:*", workerCredit: workerCredit),
                            logger: logger)
        try broker.start()
        defer { broker.stop() }
        guard let endpoint = broker.endpoints?.requests else { throw ValidationError("broker did not bind") }
        let pool = WorkerPool(configuration: WorkerConfiguration(brokerEndpoint: endpoint, service: Self.echo.busService,
                                                                 threads: workers),
                              logger: logger) { _ in
            let routes = WorkerRoutes()
            routes.register(BusBenchmark.echo) { _, request in request }
            return routes
        }
        try pool.start()
        defer { pool.stop() }
        let client = try BusClient(endpoint: endpoint, logger: logger)
        defer { client.close() }
        // Workers register asynchronously: ask until one has (MMI answers "no worker" at once otherwise).
        let registration = ContinuousClock.now + .seconds(5)
        while await !client.serviceAvailable(Self.echo.busService, timeout: .seconds(1)) {
            guard ContinuousClock.now < registration else { throw ValidationError("echo workers did not register") }
            try await Task.sleep(for: .milliseconds(20))
        }
        // The broker path as the raw echo is driven: one thread, one socket, requests pipelined.
        print("client → broker → worker pool (\(workers) threads) → client, one pipelining client thread")
        var brokered: [CaseResult] = []
        for count in [1, inFlight] {
            let result = CaseResult(inFlight: count, measurement: try PipelinedCallBenchmark.run(
                endpoint: endpoint, service: Self.echo.busService, method: Self.echo.fullName, inFlight: count,
                seconds: seconds, payloadBytes: payloadBytes))
            print("  " + result.line)
            brokered.append(result)
        }
        // The same path through the gateway's client: async callers resumed by request id.
        print("the same through BusClient, one async task per request in flight")
        var asyncClient: [CaseResult] = []
        for count in [1, inFlight] {
            let result = CaseResult(inFlight: count, measurement: try await measureBroker(client: client, inFlight: count))
            print("  " + result.line)
            asyncClient.append(result)
        }

        let rawPeak = raw.last?.throughputPerSecond ?? 0
        let brokerPeak = brokered.last?.throughputPerSecond ?? 0
        let ratio = rawPeak > 0 ? brokerPeak / rawPeak : 0
        let asyncRatio = rawPeak > 0 ? (asyncClient.last?.throughputPerSecond ?? 0) / rawPeak : 0
        let shapedRatio = shaped.throughputPerSecond > 0 ? brokerPeak / shaped.throughputPerSecond : 0
        let floorRatio = rawPeak > 0 ? floor.throughputPerSecond / rawPeak : 0
        let brokerToFloor = floor.throughputPerSecond > 0 ? brokerPeak / floor.throughputPerSecond : 0
        print(String(format: "broker/raw throughput at %d in flight: %.2f (async BusClient: %.2f); broker/raw with request-shaped messages: %.2f",
                     inFlight, ratio, asyncRatio, shapedRatio))
        print(String(format: "forwarding floor/raw: %.2f (no MDP broker can do better here); broker/floor: %.2f",
                     floorRatio, brokerToFloor))

        // CURVE off and on: two brokers side by side, measured in alternating rounds.
        print("CURVE off versus on: client → broker → worker pool → client, one pipelining client thread, \(curveRounds) alternating rounds")
        let rounds = max(1, curveRounds)
        let comparison = try await CurveComparison(workers: workers, workerCredit: workerCredit, payloadBytes: payloadBytes,
                                                   logger: logger)
            .run(rounds: rounds, secondsPerCase: seconds / Double(rounds), inFlights: [1, inFlight])
        for (plain, curve) in zip(comparison.plain, comparison.curve) {
            print("  plain " + plain.line)
            print("  CURVE " + curve.line)
        }
        let curveReport = CurveComparisonReport(rounds: rounds, plain: comparison.plain, curve: comparison.curve)
        print(String(format: "CURVE/plain throughput: %.2f at 1 in flight, %.2f at %d in flight; p50 latency CURVE/plain at 1 in flight: %.2f",
                     curveReport.curveToPlainThroughputRatioOneInFlight, curveReport.curveToPlainThroughputRatio, inFlight,
                     curveReport.curveToPlainP50RatioOneInFlight))

        let report = BusBenchReport(payloadBytes: payloadBytes, workerThreads: workers, raw: raw, rawRequestShaped: shaped,
                                    forwardingFloor: floor, broker: brokered, asyncClient: asyncClient, brokerToRawThroughputRatio: ratio,
                                    asyncClientToRawThroughputRatio: asyncRatio, brokerToRawRequestShapedThroughputRatio: shapedRatio,
                                    floorToRawThroughputRatio: floorRatio, brokerToFloorThroughputRatio: brokerToFloor,
                                    curve: curveReport)
        try writeReport(report, to: output)
    }

    private func measureBroker(client: BusClient, inFlight: Int) async throws -> EchoMeasurement {
        var request = Clinic_Bus_V1_Event()
        request.payload = Data(repeating: 0x2a, count: payloadBytes)
        let payload: [UInt8] = try request.serializedBytes()
        let service = Self.echo.busService
        let method = Self.echo.fullName
        let start = Self.monotonicNS()
        let end = start + UInt64(seconds * 1e9)
        let latencies = try await withThrowingTaskGroup(of: [UInt64].self) { group in
            for index in 0..<inFlight {
                group.addTask {
                    var sequence = 0
                    var local: [UInt64] = []
                    local.reserveCapacity(1 << 16)
                    var header = Clinic_Bus_V1_RequestHeader()
                    header.method = method
                    while true {
                        let sent = Self.monotonicNS()
                        if sent >= end { break }
                        sequence += 1
                        header.requestID = "bench-\(index)-\(sequence)"
                        header.deadlineUnixMs = Int64(Date().timeIntervalSince1970 * 1000) + 5000
                        let reply = try await client.send(service: service, header: header, payload: payload)
                        guard reply.header.code == .ok else {
                            throw ValidationError("echo failed: \(reply.header.code.name) \(reply.header.message)")
                        }
                        local.append(Self.monotonicNS() - sent)
                    }
                    return local
                }
            }
            var all: [UInt64] = []
            for try await part in group { all.append(contentsOf: part) }
            return all
        }
        return EchoMeasurement(latenciesNS: latencies, elapsedSeconds: Double(Self.monotonicNS() - start) / 1e9)
    }

    static func monotonicNS() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}

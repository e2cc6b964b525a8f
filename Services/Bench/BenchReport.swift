import ClinicBus
import Foundation

/// Summary of one benchmark case: latency percentiles and throughput.
struct CaseResult: Codable {
    var inFlight: Int
    var roundTrips: Int
    var seconds: Double
    var throughputPerSecond: Double
    var p50Microseconds: Double
    var p99Microseconds: Double

    init(inFlight: Int, measurement: EchoMeasurement) {
        let sorted = measurement.latenciesNS.sorted()
        func percentile(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let index = min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.down)))
            return Double(sorted[index]) / 1000
        }
        self.inFlight = inFlight
        roundTrips = sorted.count
        seconds = measurement.elapsedSeconds
        throughputPerSecond = measurement.elapsedSeconds > 0 ? Double(sorted.count) / measurement.elapsedSeconds : 0
        p50Microseconds = percentile(0.50)
        p99Microseconds = percentile(0.99)
    }

    var line: String {
        String(format: "%3d in flight: %9.0f round trips/s   p50 %8.1f µs   p99 %8.1f µs   (%d in %.1f s)",
               inFlight, throughputPerSecond, p50Microseconds, p99Microseconds, roundTrips, seconds)
    }
}

/// What `clinic-bench bus` writes to its JSON file.
struct BusBenchReport: Codable {
    var payloadBytes: Int
    var workerThreads: Int
    var raw: [CaseResult]
    /// The raw echo carrying messages shaped like a bus request (protocol, command, service, header and payload
    /// frames) at the highest in-flight count: what libzmq alone does with the bus's messages.
    var rawRequestShaped: CaseResult
    /// The same pipelined client through a ROUTER that only forwards MDP frames to one worker that only echoes:
    /// the floor MDP's framing and two hops set, with no broker logic and no worker runtime.
    var forwardingFloor: CaseResult
    /// Through the broker, driven by one pipelining client thread (as the raw echo is driven).
    var broker: [CaseResult]
    /// Through the broker, driven by `BusClient`'s async API (one task per request in flight).
    var asyncClient: [CaseResult]
    /// Broker throughput / raw throughput at the highest in-flight count.
    var brokerToRawThroughputRatio: Double
    /// The same ratio for the async client.
    var asyncClientToRawThroughputRatio: Double
    /// Broker throughput / throughput of the raw echo of request-shaped messages, at the highest in-flight count.
    var brokerToRawRequestShapedThroughputRatio: Double
    /// Forwarding floor throughput / raw throughput: the most any MDP broker path could reach here.
    var floorToRawThroughputRatio: Double
    /// Broker throughput / forwarding floor throughput: what the broker's logic and worker runtime keep of it.
    var brokerToFloorThroughputRatio: Double
    /// The broker path with CURVE off and on, measured side by side.
    var curve: CurveComparisonReport
}

/// The broker path with CURVE off and on in one run: alternating rounds in one process, two brokers side by side.
struct CurveComparisonReport: Codable {
    /// Rounds; each mode's figures add up its rounds.
    var rounds: Int
    /// CURVE off, at 1 and at the highest in-flight count.
    var plain: [CaseResult]
    /// CURVE on (encrypted, ZAP-authenticated, peer stamped on every request), at the same counts.
    var curve: [CaseResult]
    /// CURVE throughput / plain throughput at the highest in-flight count.
    var curveToPlainThroughputRatio: Double
    /// The same at 1 in flight.
    var curveToPlainThroughputRatioOneInFlight: Double
    /// CURVE p50 latency / plain p50 latency at 1 in flight.
    var curveToPlainP50RatioOneInFlight: Double

    init(rounds: Int, plain: [CaseResult], curve: [CaseResult]) {
        self.rounds = rounds
        self.plain = plain
        self.curve = curve
        func ratio(_ a: Double?, _ b: Double?) -> Double { (b ?? 0) > 0 ? (a ?? 0) / (b ?? 1) : 0 }
        curveToPlainThroughputRatio = ratio(curve.last?.throughputPerSecond, plain.last?.throughputPerSecond)
        curveToPlainThroughputRatioOneInFlight = ratio(curve.first?.throughputPerSecond, plain.first?.throughputPerSecond)
        curveToPlainP50RatioOneInFlight = ratio(curve.first?.p50Microseconds, plain.first?.p50Microseconds)
    }
}

/// Writes a benchmark report as pretty JSON, creating its folder, and says where.
func writeReport(_ report: some Encodable, to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try encoder.encode(report).write(to: url)
    print("wrote \(path)")
}

import ClinicBus
import Foundation

/// Round-trip latencies and elapsed time of one benchmark case.
public struct EchoMeasurement: Sendable {
    /// One latency per completed round trip, in nanoseconds.
    public var latenciesNS: [UInt64]
    /// Wall time of the measured phase, in seconds.
    public var elapsedSeconds: Double

    /// Creates a measurement.
    public init(latenciesNS: [UInt64], elapsedSeconds: Double) {
        self.latenciesNS = latenciesNS
        self.elapsedSeconds = elapsedSeconds
    }
}

/// The baseline for the bus benchmark: a plain libzmq DEALER ⇄ ROUTER echo over loopback TCP, no broker.
public enum RawEchoBenchmark {
    /// Runs the echo for `seconds` keeping `inFlight` requests outstanding, with `payloadBytes`-byte messages.
    /// `leadingFrames` go in front of the payload frame of every message (to echo messages shaped like bus requests).
    public static func run(inFlight: Int, seconds: Double, payloadBytes: Int = 32,
                           leadingFrames: [[UInt8]] = []) throws -> EchoMeasurement {
        let server = try BenchPeer(name: "raw-echo", open: {
            let router = try BenchPeer.deepSocket(.router)
            try router.bind("tcp://127.0.0.1:*")
            return router
        }, makeAnswer: {
            { frames, router in try router.send(frames) }
        })
        defer { server.stop() }

        let dealer = try BenchPeer.deepSocket(.dealer)
        defer { dealer.close() }
        try dealer.connect(server.endpoint)
        var payload = [UInt8](repeating: 0x2a, count: max(8, payloadBytes))
        func stamp() -> [[UInt8]] {
            var now = BusClock.monotonicNS()
            withUnsafeBytes(of: &now) { raw in for i in 0..<8 { payload[i] = raw[i] } }
            return leadingFrames + [payload]
        }
        // Warm up the connection so connect time is not measured.
        try dealer.send(stamp())
        _ = try dealer.receive()

        var latencies: [UInt64] = []
        latencies.reserveCapacity(1 << 20)
        let start = BusClock.monotonicNS()
        let end = start + UInt64(seconds * 1e9)
        for _ in 0..<inFlight { try dealer.send(stamp()) }
        var outstanding = inFlight
        while outstanding > 0 {
            guard let frames = try dealer.receive(), let frame = frames.last, frame.count >= 8 else { continue }
            let now = BusClock.monotonicNS()
            var sent: UInt64 = 0
            withUnsafeMutableBytes(of: &sent) { raw in for i in 0..<8 { raw[i] = frame[i] } }
            latencies.append(now - sent)
            if now < end {
                try dealer.send(stamp())
            } else {
                outstanding -= 1
            }
        }
        let elapsed = Double(BusClock.monotonicNS() - start) / 1e9
        return EchoMeasurement(latenciesNS: latencies, elapsedSeconds: elapsed)
    }
}

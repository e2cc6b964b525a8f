import CZeroMQ
import Foundation
import Synchronization

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
        let stop = StopSignal(name: "raw-echo")
        let ready = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let bound = Mutex<Result<String, BusError>?>(nil)
        let server = Thread {
            defer { done.signal() }
            do {
                let router = try Socket(.router)
                defer { router.close() }
                try router.setOption(ZMQ_SNDHWM, Int32(100_000))
                try router.setOption(ZMQ_RCVHWM, Int32(100_000))
                try router.bind("tcp://127.0.0.1:*")
                let stopSocket = try stop.makeReceiver()
                defer { stopSocket.close() }
                bound.withLock { $0 = .success(router.lastEndpoint) }
                ready.signal()
                var poll = PollPair(router, stopSocket)
                while !stop.isFired {
                    let (readable, stopping) = try poll.poll(timeoutMS: 100)
                    if stopping { break }
                    if readable {
                        while let frames = try router.receive(dontWait: true) { try router.send(frames) }
                    }
                }
            } catch let error as BusError {
                bound.withLock { $0 = .failure(error) }
                ready.signal()
            } catch {
                ready.signal()
            }
        }
        server.start()
        ready.wait()
        defer {
            stop.fire()
            done.wait()
        }
        guard let endpoint = try bound.withLock({ $0 })?.get() else {
            throw BusError(operation: "raw echo", reason: "server did not start")
        }

        let dealer = try Socket(.dealer)
        defer { dealer.close() }
        try dealer.setOption(ZMQ_SNDHWM, Int32(100_000))
        try dealer.setOption(ZMQ_RCVHWM, Int32(100_000))
        try dealer.connect(endpoint)
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

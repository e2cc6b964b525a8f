import ClinicProto
import ClinicBus
import Foundation

/// Round trips through the broker driven the way `RawEchoBenchmark` drives its echo: one thread, one DEALER,
/// `inFlight` MDP client requests kept outstanding, so the figure measures broker and workers, not the caller.
public enum PipelinedCallBenchmark {
    /// Calls `method` of `service` (an echo whose reply payload is the request payload) through the broker at
    /// `endpoint` for `seconds`, with `inFlight` requests outstanding and `payloadBytes` of payload each, connecting
    /// with `security` (the handshake is done before measuring starts).
    public static func run(endpoint: String, service: String, method: String, inFlight: Int, seconds: Double,
                           payloadBytes: Int = 32, security: BusSecurity = .plain) throws -> EchoMeasurement {
        let dealer = try BenchPeer.deepSocket(.dealer)
        defer { dealer.close() }
        try dealer.secure(as: security)
        try dealer.connect(endpoint)

        // One request id per slot: an id is reused only after its reply came back. The slot travels in the
        // payload, next to the send time, so a reply is matched without decoding its header.
        let deadline = BusClock.nowMS() + Int64(seconds * 1000) + 60_000
        let headers: [[UInt8]] = try (0..<inFlight).map { slot in
            var header = Clinic_Bus_V1_RequestHeader()
            header.method = method
            header.requestID = "pipelined-\(slot)"
            header.deadlineUnixMs = deadline
            return try header.serializedBytes()
        }
        let serviceFrame = Array(service.utf8)
        let bodyBytes = max(16, payloadBytes)
        // An echo request is `Clinic_Bus_V1_Event` with only `payload` set: tag 0x12, length, bytes; the echo
        // returns the same encoding, so the stamp sits at a fixed offset in the reply.
        var payload = try Clinic_Bus_V1_Event.with { $0.payload = Data(repeating: 0x2a, count: bodyBytes) }.serializedBytes() as [UInt8]
        let offset = payload.count - bodyBytes
        func send(slot: Int) throws {
            var now = BusClock.monotonicNS()
            var index = UInt64(slot)
            withUnsafeBytes(of: &now) { raw in for i in 0..<8 { payload[offset + i] = raw[i] } }
            withUnsafeBytes(of: &index) { raw in for i in 0..<8 { payload[offset + 8 + i] = raw[i] } }
            try dealer.send([MDP.client, MDP.clientRequestFrame, serviceFrame, headers[slot], payload])
        }
        func stamp(of frames: [[UInt8]]) -> (sent: UInt64, slot: Int)? {
            guard frames.count == 5, frames[4].count >= offset + 16 else { return nil }
            var sent: UInt64 = 0
            var slot: UInt64 = 0
            frames[4].withUnsafeBytes { raw in
                withUnsafeMutableBytes(of: &sent) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[offset..<offset + 8])) }
                withUnsafeMutableBytes(of: &slot) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[offset + 8..<offset + 16])) }
            }
            return slot < UInt64(inFlight) ? (sent, Int(slot)) : nil
        }

        // Warm up: one round trip, so connecting is not measured.
        try send(slot: 0)
        guard let first = try dealer.receive(), stamp(of: first) != nil else {
            throw BusError(operation: "pipelined benchmark", reason: "the echo service did not answer")
        }

        var latencies: [UInt64] = []
        latencies.reserveCapacity(1 << 20)
        let start = BusClock.monotonicNS()
        let end = start + UInt64(seconds * 1e9)
        for slot in 0..<inFlight { try send(slot: slot) }
        var outstanding = inFlight
        while outstanding > 0 {
            guard let frames = try dealer.receive(), let (sent, slot) = stamp(of: frames) else {
                throw BusError(operation: "pipelined benchmark", reason: "a reply was not an echo (error or malformed)")
            }
            let now = BusClock.monotonicNS()
            latencies.append(now - sent)
            if now < end {
                try send(slot: slot)
            } else {
                outstanding -= 1
            }
        }
        return EchoMeasurement(latenciesNS: latencies, elapsedSeconds: Double(BusClock.monotonicNS() - start) / 1e9)
    }
}

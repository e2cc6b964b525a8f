import ClinicProto
import CZeroMQ
import Logging
import SwiftProtobuf

/// One event as received from the bus.
public struct ReceivedEvent: Sendable, Equatable {
    /// The topic, e.g. `clinic.reception.PatientRegistered`.
    public var topic: String
    /// Publisher, sequence, type and time of the event.
    public var header: Clinic_Bus_V1_EventHeader
    /// The encoded event message.
    public var payload: [UInt8]

    /// Creates a received event.
    public init(topic: String, header: Clinic_Bus_V1_EventHeader, payload: [UInt8]) {
        self.topic = topic
        self.header = header
        self.payload = payload
    }
}

/// Receives events from the broker's events-out endpoint. Thread-confined: create, use and close it on one thread.
public final class EventSubscription {
    private let socket: Socket
    private let logger: Logger

    /// Connects a SUB socket to `endpoint` with `security` and subscribes to each topic prefix (`[""]` for everything).
    public init(endpoint: String, topicPrefixes: [String], security: BusSecurity = .plain, logger: Logger,
                maxMessageBytes: Int = 4 << 20) throws {
        self.logger = logger
        socket = try Socket(.sub)
        try socket.setOption64(ZMQ_MAXMSGSIZE, Int64(maxMessageBytes))
        try socket.setOption(ZMQ_RCVHWM, Int32(100_000))
        for prefix in topicPrefixes { try socket.setOption(ZMQ_SUBSCRIBE, bytes: Array(prefix.utf8)) }
        try socket.secure(as: security)
        try socket.connect(endpoint)
    }

    /// Waits up to `timeout` for the next well-formed event; nil when none came. Malformed messages are skipped.
    public func receive(timeout: Duration) throws -> ReceivedEvent? {
        let end = BusClock.nowMS() + timeout.wholeMilliseconds
        while true {
            let remaining = end - BusClock.nowMS()
            if let frames = try socket.receive(dontWait: true) {
                if let event = Self.decode(frames) { return event }
                logger.warning("skipped a malformed event message", metadata: ["frames": "\(frames.count)"])
                continue
            }
            if remaining <= 0 { return nil }
            let ready = try Socket.poll([socket], timeoutMS: Int(remaining))
            if !ready[0] && BusClock.nowMS() >= end { return nil }
        }
    }

    /// Closes the socket (also done on deinit).
    public func close() { socket.close() }

    static func decode(_ frames: [[UInt8]]) -> ReceivedEvent? {
        guard frames.count == 3, let topic = String(validating: frames[0], as: UTF8.self),
              let header = try? Clinic_Bus_V1_EventHeader(serializedBytes: frames[1]) else { return nil }
        return ReceivedEvent(topic: topic, header: header, payload: frames[2])
    }
}

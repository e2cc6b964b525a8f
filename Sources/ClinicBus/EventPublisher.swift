import ClinicProto
import CZeroMQ
import Logging
import SwiftProtobuf

/// Publishes events to the broker's events-in endpoint. Thread-confined: create, use and close it on one thread.
public final class EventPublisher {
    private let socket: Socket

    /// Connects a PUB socket to `endpoint` (the broker's XSUB side) with `security`. On a CURVE bus the broker
    /// passes on only topics of this peer's own services (`clinic.<name>.…`).
    public init(endpoint: String, security: BusSecurity = .plain) throws {
        socket = try Socket(.pub)
        try socket.setOption(ZMQ_SNDHWM, Int32(100_000))
        try socket.secure(as: security)
        try socket.connect(endpoint)
    }

    /// Publishes frames `[topic][EventHeader][payload]`; topic is `clinic.<service>.<Event>`.
    public func publish(topic: String, header: Clinic_Bus_V1_EventHeader, payload: [UInt8]) throws {
        let headerBytes: [UInt8] = try header.serializedBytes()
        try socket.send([Array(topic.utf8), headerBytes, payload])
    }

    /// Closes the socket (also done on deinit).
    public func close() { socket.close() }
}

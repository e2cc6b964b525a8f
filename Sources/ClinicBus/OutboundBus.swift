import ClinicProto
import Foundation
import Logging
import Synchronization

/// The one bus client a process's worker threads share for calls to other services, made on first use (a service
/// that never calls out opens no socket for it).
public final class OutboundBus: Sendable {
    private let endpoint: String
    private let security: BusSecurity
    private let logger: Logger
    private let state = Mutex<BusClient?>(nil)

    /// Calls go to the broker at `endpoint`, connecting with `security`.
    public init(endpoint: String, security: BusSecurity = .plain, logger: Logger) {
        self.endpoint = endpoint
        self.security = security
        self.logger = logger
    }

    /// The shared client, connecting it the first time (again after `close`).
    public func client() throws -> BusClient {
        try state.withLock { client in
            if let client { return client }
            let made = try BusClient(endpoint: endpoint, security: security, logger: logger)
            client = made
            return made
        }
    }

    /// Closes the client, failing calls still waiting. Idempotent.
    public func close() {
        let client = state.withLock { client -> BusClient? in
            defer { client = nil }
            return client
        }
        client?.close()
    }
}

extension OutboundBus: RPCTransport {
    /// Sends through the shared client (connected on first use).
    public func send(service: String, header: Clinic_Bus_V1_RequestHeader, payload: [UInt8]) async throws -> RPCReply {
        try await client().send(service: service, header: header, payload: payload)
    }
}

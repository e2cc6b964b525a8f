import ClinicProto
import Foundation
import SwiftProtobuf

/// A reply as it came off the bus: its header and the still-encoded response payload.
public struct RPCReply: Sendable {
    /// Status, message and field violations of the reply.
    public var header: Clinic_Bus_V1_ReplyHeader
    /// The encoded response message (empty when the status is not OK).
    public var payload: [UInt8]

    /// Creates a reply from its two frames.
    public init(header: Clinic_Bus_V1_ReplyHeader, payload: [UInt8]) {
        self.header = header
        self.payload = payload
    }
}

/// Anything that can carry one encoded request to a bus service and bring back its reply.
public protocol RPCTransport: Sendable {
    /// Sends `payload` under `header` to `service` and waits for the reply or the header's deadline.
    func send(service: String, header: Clinic_Bus_V1_RequestHeader, payload: [UInt8]) async throws -> RPCReply
}

/// Per-call settings: how long to wait, who is calling, and the retry key.
public struct CallOptions: Sendable {
    /// How long the caller waits; becomes the absolute deadline in the request header.
    public var timeout: Duration
    /// Who is calling.
    public var caller: Clinic_Bus_V1_Caller
    /// Repeat-safe key for writes that are not naturally idempotent.
    public var idempotencyKey: String
    /// Trace id to carry through the services.
    public var traceID: String
    /// The staff token of the member on whose behalf the call is made ("" for none).
    public var token: String = ""
    /// The end client's address, for audits ("" when unknown).
    public var clientAddress: String = ""

    /// Creates options; the default waits five seconds.
    public init(timeout: Duration = .seconds(5), caller: Clinic_Bus_V1_Caller = .init(),
                idempotencyKey: String = "", traceID: String = "", token: String = "") {
        self.token = token
        self.timeout = timeout
        self.caller = caller
        self.idempotencyKey = idempotencyKey
        self.traceID = traceID
    }

    /// The request header for one call of `method` with these options.
    public func requestHeader(method: String, now: Date = Date()) -> Clinic_Bus_V1_RequestHeader {
        var header = Clinic_Bus_V1_RequestHeader()
        header.method = method
        header.requestID = RequestID.next()
        header.deadlineUnixMs = Int64(now.timeIntervalSince1970 * 1000) + max(1, timeout.wholeMilliseconds)
        header.caller = caller
        header.idempotencyKey = idempotencyKey
        header.traceID = traceID
        header.token = token
        header.clientAddress = clientAddress
        return header
    }
}

extension RPCTransport {
    /// Calls a typed method: encodes the request, awaits the reply, and decodes the response or throws its `RPCError`.
    public func call<Request, Response>(_ method: Method<Request, Response>, _ request: Request,
                                        options: CallOptions = CallOptions()) async throws -> Response {
        let header = options.requestHeader(method: method.fullName)
        let payload: [UInt8] = try request.serializedBytes()
        return try await send(service: method.busService, header: header, payload: payload).response(of: method)
    }
}

extension BusClient {
    /// Calls a typed method and blocks the calling thread until the response or its `RPCError` (never call from a
    /// Task: worker threads and other dedicated threads only).
    public func callBlocking<Request, Response>(_ method: Method<Request, Response>, _ request: Request,
                                                options: CallOptions = CallOptions()) throws -> Response {
        let header = options.requestHeader(method: method.fullName)
        let payload: [UInt8] = try request.serializedBytes()
        return try sendBlocking(service: method.busService, header: header, payload: payload).response(of: method)
    }
}

extension RPCReply {
    /// The decoded response of `method`, or the reply's error.
    func response<Request, Response>(of method: Method<Request, Response>) throws -> Response {
        guard header.code == .ok else {
            throw RPCError(header.code, header.message, violations: header.violations)
        }
        do {
            return try Response(serializedBytes: payload)
        } catch {
            throw RPCError(.internal, "reply to \(method.fullName) did not decode as \(Response.protoMessageName)")
        }
    }
}

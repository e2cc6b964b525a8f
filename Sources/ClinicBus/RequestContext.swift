import ClinicProto
import Foundation
import Logging

/// What a handler knows about the request it serves besides the request message.
public struct RequestContext {
    /// The request header as it arrived.
    public let header: Clinic_Bus_V1_RequestHeader
    /// The request id (echoed in the reply).
    public var requestID: String
    /// Who is calling, as the service's gate verified it.
    public var caller: VerifiedCaller
    /// The retry key for non-idempotent writes ("" when absent).
    public var idempotencyKey: String
    /// When the caller stops waiting.
    public var deadline: Date
    /// A logger carrying `request_id` and `method` metadata.
    public var logger: Logger
    /// The process's client for calls to other services (nil where the worker has none, as in some tests).
    public var outbound: OutboundBus?

    /// Creates a context from a request header and its verified caller.
    public init(header: Clinic_Bus_V1_RequestHeader, caller: VerifiedCaller, logger: Logger, outbound: OutboundBus? = nil) {
        self.header = header
        requestID = header.requestID
        self.caller = caller
        idempotencyKey = header.idempotencyKey
        deadline = header.deadlineUnixMs == 0
            ? .distantFuture
            : Date(timeIntervalSince1970: Double(header.deadlineUnixMs) / 1000)
        self.logger = logger
        self.outbound = outbound
    }

    /// Who acts, for the record: the staff member's id, else `system:<bus identity>`.
    public var actor: String { caller.actor }

    /// Time kept back from the caller's deadline for a call to another service, so this request can still answer.
    public static let outboundMargin: Duration = .milliseconds(100)
    /// Longest a call to another service waits (when the caller set no deadline).
    public static let outboundTimeout: Duration = .seconds(5)

    /// Calls another service on behalf of this request and blocks this worker thread until the response: the call
    /// carries the caller's deadline less `outboundMargin`, its staff token (so the callee checks the same member's
    /// roles), the caller as described (its system named `system`, when given) and the trace id, and throws the
    /// callee's `RPCError` (UNAVAILABLE when the bus cannot carry it). `idempotencyKey` makes a retried call (one
    /// this request's own retry repeats) answer the callee's first reply.
    public func call<Request, Response>(_ method: Method<Request, Response>, _ request: Request,
                                        as system: String? = nil, idempotencyKey: String = "") throws -> Response {
        guard let outbound else { throw RPCError.unavailable("no bus to reach \(method.busService)") }
        let left = Duration.milliseconds(Int64(deadline.timeIntervalSinceNow * 1000)) - Self.outboundMargin
        guard left > .zero else { throw RPCError.deadlineExceeded("no time left to call \(method.busService)") }
        var caller = header.caller
        if let system { caller.system = system }
        var options = CallOptions(timeout: min(left, Self.outboundTimeout), caller: caller, traceID: header.traceID)
        options.idempotencyKey = idempotencyKey
        options.token = header.token
        options.clientAddress = header.clientAddress
        return try outbound.client().callBlocking(method, request, options: options)
    }
}

/// An error of another module that knows which RPC error it is.
public protocol RPCErrorConvertible: Error {
    /// The RPC error to answer with.
    var rpcError: RPCError { get }
}

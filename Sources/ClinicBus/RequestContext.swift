import ClinicProto
import Foundation
import Logging

/// What a handler knows about the request it serves besides the request message.
public struct RequestContext {
    /// The request header as it arrived.
    public let header: Clinic_Bus_V1_RequestHeader
    /// The request id (echoed in the reply).
    public var requestID: String
    /// Who is calling.
    public var caller: Clinic_Bus_V1_Caller
    /// The retry key for non-idempotent writes ("" when absent).
    public var idempotencyKey: String
    /// When the caller stops waiting.
    public var deadline: Date
    /// A logger carrying `request_id` and `method` metadata.
    public var logger: Logger

    /// Creates a context from a request header.
    public init(header: Clinic_Bus_V1_RequestHeader, logger: Logger) {
        self.header = header
        requestID = header.requestID
        caller = header.caller
        idempotencyKey = header.idempotencyKey
        deadline = header.deadlineUnixMs == 0
            ? .distantFuture
            : Date(timeIntervalSince1970: Double(header.deadlineUnixMs) / 1000)
        self.logger = logger
    }
}

/// An error of another module that knows which RPC error it is.
public protocol RPCErrorConvertible: Error {
    /// The RPC error to answer with.
    var rpcError: RPCError { get }
}

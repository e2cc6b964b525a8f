import ClinicProto

/// Status of an RPC reply: gRPC's sixteen codes with gRPC's numbers.
public typealias StatusCode = Clinic_Bus_V1_StatusCode

/// A failed RPC: a status code, a message free of patient data, and the fields at fault.
public struct RPCError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is; maps to an HTTP status at the gateway.
    public var code: StatusCode
    /// Human-readable explanation; never carries phone numbers or medical data.
    public var message: String
    /// The request fields at fault, if any.
    public var violations: [FieldViolation]

    /// Creates an error with a code, a message and optional field violations.
    public init(_ code: StatusCode, _ message: String, violations: [FieldViolation] = []) {
        self.code = code
        self.message = message
        self.violations = violations
    }

    /// The request is malformed: one field names what is wrong.
    public static func invalidArgument(field: String, _ description: String) -> RPCError {
        var violation = FieldViolation()
        violation.field = field
        violation.description_p = description
        return RPCError(.invalidArgument, "\(field): \(description)", violations: [violation])
    }

    /// The request is malformed in several fields at once.
    public static func invalidArguments(_ violations: [FieldViolation]) -> RPCError {
        let summary = violations.map { "\($0.field): \($0.description_p)" }.joined(separator: "; ")
        return RPCError(.invalidArgument, summary, violations: violations)
    }

    /// The named thing does not exist.
    public static func notFound(_ message: String) -> RPCError { RPCError(.notFound, message) }

    /// The thing to create exists already.
    public static func alreadyExists(_ message: String) -> RPCError { RPCError(.alreadyExists, message) }

    /// The system is not in a state that allows the operation.
    public static func failedPrecondition(_ message: String) -> RPCError { RPCError(.failedPrecondition, message) }

    /// A bug or an unexpected failure inside the service.
    public static func internalError(_ message: String) -> RPCError { RPCError(.internal, message) }

    /// No worker could take the request.
    public static func unavailable(_ message: String) -> RPCError { RPCError(.unavailable, message) }

    /// The deadline passed before a reply arrived.
    public static func deadlineExceeded(_ message: String) -> RPCError { RPCError(.deadlineExceeded, message) }

    /// A one-line description for logs.
    public var description: String { "\(code.name): \(message)" }

    /// The reply header that carries this error.
    public func replyHeader(requestID: String) -> Clinic_Bus_V1_ReplyHeader {
        var header = Clinic_Bus_V1_ReplyHeader()
        header.requestID = requestID
        header.code = code
        header.message = message
        header.violations = violations
        return header
    }
}

extension StatusCode {
    /// The code's canonical upper-case name, e.g. `INVALID_ARGUMENT`.
    public var name: String {
        switch self {
        case .ok: "OK"
        case .cancelled: "CANCELLED"
        case .unknown: "UNKNOWN"
        case .invalidArgument: "INVALID_ARGUMENT"
        case .deadlineExceeded: "DEADLINE_EXCEEDED"
        case .notFound: "NOT_FOUND"
        case .alreadyExists: "ALREADY_EXISTS"
        case .permissionDenied: "PERMISSION_DENIED"
        case .resourceExhausted: "RESOURCE_EXHAUSTED"
        case .failedPrecondition: "FAILED_PRECONDITION"
        case .aborted: "ABORTED"
        case .outOfRange: "OUT_OF_RANGE"
        case .unimplemented: "UNIMPLEMENTED"
        case .internal: "INTERNAL"
        case .unavailable: "UNAVAILABLE"
        case .dataLoss: "DATA_LOSS"
        case .unauthenticated: "UNAUTHENTICATED"
        case .UNRECOGNIZED(let value): "CODE_\(value)"
        }
    }

    /// The HTTP status the gateway answers with, as grpc-gateway maps it.
    public var httpStatus: Int {
        switch self {
        case .ok: 200
        case .invalidArgument, .outOfRange, .failedPrecondition: 400
        case .notFound: 404
        case .alreadyExists, .aborted: 409
        case .permissionDenied: 403
        case .unauthenticated: 401
        case .resourceExhausted: 429
        case .cancelled: 499
        case .unimplemented: 501
        case .unavailable: 503
        case .deadlineExceeded: 504
        case .internal, .unknown, .dataLoss, .UNRECOGNIZED: 500
        }
    }
}

import ClinicBus
import Foundation
import HTTPTypes

/// An error as the gateway answers it: an RPC status with message and field details.
public struct GatewayError: Error, Sendable {
    /// The RPC status (mapped to HTTP as grpc-gateway does).
    public var code: StatusCode
    /// Message free of patient data.
    public var message: String
    /// Fields at fault.
    public var details: [(field: String, description: String)]
    /// The HTTP status when it is not the code's own (413 for a body over the limit).
    public var httpStatus: Int?
    /// The `WWW-Authenticate` challenge of a 401 (nil: the plain bearer challenge).
    public var challenge: String?
    /// The `Retry-After` of a 429, in seconds.
    public var retryAfterSeconds: Int?

    /// An error with a code, message and optional field details.
    public init(_ code: StatusCode, _ message: String, details: [(field: String, description: String)] = [],
                httpStatus: Int? = nil, challenge: String? = nil, retryAfterSeconds: Int? = nil) {
        self.challenge = challenge
        self.retryAfterSeconds = retryAfterSeconds
        self.code = code
        self.message = message
        self.details = details
        self.httpStatus = httpStatus
    }

    /// 400 naming a request header (or other request part) and what it must be.
    public static func invalid(_ name: String, _ description: String) -> GatewayError {
        GatewayError(.invalidArgument, "\(name): \(description)", details: [(name, description)])
    }

    /// 401 with a `WWW-Authenticate` challenge.
    public static func unauthenticated(_ message: String, challenge: String) -> GatewayError {
        GatewayError(.unauthenticated, message, challenge: challenge)
    }

    /// 413: the body is larger than the gateway accepts.
    public static func bodyTooLarge(limit: Int) -> GatewayError {
        GatewayError(.resourceExhausted, "body: must be at most \(limit) bytes", details: [("body", "must be at most \(limit) bytes")],
                     httpStatus: 413)
    }

    /// The same error an RPC reply carried.
    public init(_ error: RPCError) {
        self.init(error.code, error.message, details: error.violations.map { ($0.field, $0.description_p) })
    }

    /// HTTP status for the code.
    public var status: HTTPResponse.Status { HTTPResponse.Status(code: httpStatus ?? code.httpStatus) }

    /// `{"code": …, "message": …, "details": [{"field": …, "description": …}]}`.
    public var jsonBody: [UInt8] {
        var out = "{\"code\":\(code.rawValue),\"message\":" + JSONText.quote(message) + ",\"details\":["
        out += details.map { "{\"field\":\(JSONText.quote($0.field)),\"description\":\(JSONText.quote($0.description))}" }
            .joined(separator: ",")
        out += "]}"
        return Array(out.utf8)
    }
}

/// JSON string quoting without Foundation's encoder (hot path).
enum JSONText {
    /// `text` as a JSON string literal.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let s where s.value < 0x20: out += String(format: "\\u%04x", s.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

import CZeroMQ
import Glibc

/// A failure of the bus's socket layer: which operation failed and libzmq's errno for it.
public struct BusError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The operation that failed, e.g. `bind tcp://127.0.0.1:5555`.
    public var operation: String
    /// The errno libzmq reported (0 when the failure is not from libzmq).
    public var errno: Int32
    /// libzmq's text for `errno`.
    public var reason: String

    /// Creates an error for `operation` with an explicit reason.
    public init(operation: String, errno: Int32 = 0, reason: String) {
        self.operation = operation
        self.errno = errno
        self.reason = reason
    }

    /// The error for the last failed libzmq call.
    static func zmq(_ operation: String) -> BusError {
        let code = zmq_errno()
        return BusError(operation: operation, errno: code, reason: String(cString: zmq_strerror(code)))
    }

    /// A one-line description for logs.
    public var description: String { "\(operation): \(reason)" }
}

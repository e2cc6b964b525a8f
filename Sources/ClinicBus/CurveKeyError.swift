/// What went wrong with a CURVE key, a key file or an authorized-keys file: which file and line, and why. It never
/// carries key material, so it can be logged and shown as it is.
public struct CurveKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, for callers that act on it.
    public enum Code: Sendable, Equatable {
        /// The file could not be read (missing, no permission).
        case unreadable
        /// The file could not be written.
        case unwritable
        /// A line or a key is not in the expected form.
        case malformed
        /// A key file that others may read (or anyone but its owner may write).
        case unsafePermissions
        /// A key file that exists already where a new one was asked for.
        case alreadyExists
        /// This libzmq was built without CURVE, or the operation needs CURVE and it is off.
        case unsupported
    }

    /// The kind of failure.
    public var code: Code
    /// The file concerned, when there is one.
    public var file: String?
    /// The 1-based line of `file` at fault, when there is one.
    public var line: Int?
    /// What is wrong, in words an operator can act on.
    public var message: String

    /// Creates an error; `file` and `line` say where.
    public init(_ code: Code, _ message: String, file: String? = nil, line: Int? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    /// `file:line: message`, as compilers print it.
    public var description: String {
        switch (file, line) {
        case (let file?, let line?): "\(file):\(line): \(message)"
        case (let file?, nil): "\(file): \(message)"
        default: message
        }
    }
}

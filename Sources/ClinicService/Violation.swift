import ClinicBus

/// One field a person got wrong, named as the API names it (proto3 JSON, e.g. `birthDate`, `startTime`).
public struct Violation: Sendable, Hashable {
    /// Field name in the API's JSON form.
    public let field: String
    /// What is wrong, without echoing the value.
    public let description: String

    /// A violation of `field`.
    public init(_ field: String, _ description: String) {
        self.field = field
        self.description = description
    }
}

/// Several violations reported together.
public struct ViolationList: Error, Sendable, Hashable {
    /// The violations, in field order of the form.
    public let violations: [Violation]

    /// Wraps a list of violations.
    public init(_ violations: [Violation]) { self.violations = violations }

    /// INVALID_ARGUMENT naming every field at fault.
    public var rpcError: RPCError {
        RPCError.invalidArguments(violations.map { FieldViolation(field: $0.field, $0.description) })
    }
}

extension Result where Failure == ViolationList {
    /// The success value, or the violations as INVALID_ARGUMENT.
    public func orInvalidArgument() throws -> Success {
        switch self {
        case .success(let value): return value
        case .failure(let list): throw list.rpcError
        }
    }
}

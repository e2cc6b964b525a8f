import Foundation
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

/// Ids in request fields the contract has checked (`FORMAT_UUID`): parsed into values, the empty one as nil.
public enum CheckedID {
    /// The id in `text`; INVALID_ARGUMENT naming `field` if it is not one (a request that skipped the contract).
    public static func parse(_ text: String, field: String) throws -> UUID {
        guard let id = UUIDText.parse(text) else { throw RPCError.invalidArgument(field: field, FieldFormat.uuid.expectation) }
        return id
    }

    /// The id in an optional field: nil when it is empty.
    public static func parseOptional(_ text: String, field: String) throws -> UUID? {
        text.isEmpty ? nil : try parse(text, field: field)
    }
}

/// Clinic dates in request fields the contract has checked (`FORMAT_DATE`): parsed into values; an empty field is
/// required, absent or its default.
public enum CheckedDate {
    /// The date in `text`; INVALID_ARGUMENT naming `field` when it is empty or not a date (a request that skipped the
    /// contract).
    public static func parse(_ text: String, field: String) throws -> ClinicDate {
        guard !text.isEmpty else { throw RPCError.invalidArgument(field: field, "is required") }
        guard let date = ClinicDate(iso: text) else { throw RPCError.invalidArgument(field: field, FieldFormat.date.expectation) }
        return date
    }

    /// The date in an optional field: nil when it is empty.
    public static func parseOptional(_ text: String, field: String) throws -> ClinicDate? {
        text.isEmpty ? nil : try parse(text, field: field)
    }

    /// The date in an optional field, or `fallback` when it is empty.
    public static func parse(_ text: String, field: String, default fallback: @autoclosure () -> ClinicDate) throws -> ClinicDate {
        text.isEmpty ? fallback() : try parse(text, field: field)
    }
}

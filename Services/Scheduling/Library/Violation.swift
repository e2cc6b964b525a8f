/// One field a person got wrong, named as the API names it (proto3 JSON, e.g. `startTime`).
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
}

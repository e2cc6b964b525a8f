/// A SQL statement whose interpolated values are bound as parameters (`$1`, `$2`, …), never spliced into the text.
///
/// ```swift
/// let sql: SQL = "SELECT name FROM patients WHERE id = \(id) AND clinic = \(clinic)"
/// ```
/// Use `\(raw: "…")` for trusted SQL fragments and `\(identifier: name)` for a quoted identifier.
public struct SQL: ExpressibleByStringInterpolation, Sendable {
    /// The statement text with `$n` placeholders.
    public private(set) var text: String
    /// The bound values, in placeholder order.
    var bindings: [SQLBinding]

    /// Creates a statement with no parameters from trusted text.
    public init(unsafeRaw text: String) {
        self.text = text
        self.bindings = []
    }

    /// Creates a statement with no parameters from a literal.
    public init(stringLiteral value: String) {
        self.init(unsafeRaw: value)
    }

    /// Creates a statement from an interpolation, binding each value.
    public init(stringInterpolation: StringInterpolation) {
        self.text = stringInterpolation.text
        self.bindings = stringInterpolation.bindings
    }

    /// The number of bound parameters.
    public var parameterCount: Int { bindings.count }

    /// Builds the text and the bindings of a `SQL` literal.
    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        var text: String
        var bindings: [SQLBinding]

        /// Reserves room for the literal parts.
        public init(literalCapacity: Int, interpolationCount: Int) {
            text = ""
            text.reserveCapacity(literalCapacity + interpolationCount * 3)
            bindings = []
            bindings.reserveCapacity(interpolationCount)
        }

        /// Appends literal SQL text.
        public mutating func appendLiteral(_ literal: String) {
            text.append(literal)
        }

        /// Binds a value as the next parameter.
        public mutating func appendInterpolation<Value: SQLEncodable>(_ value: Value) {
            bindings.append(SQLBinding(text: value.sqlText, typeOID: Value.postgresTypeOID))
            text.append("$")
            text.append(String(bindings.count))
        }

        /// Binds an optional value as the next parameter (NULL when nil).
        public mutating func appendInterpolation<Value: SQLEncodable>(_ value: Value?) {
            bindings.append(SQLBinding(text: value?.sqlText ?? nil, typeOID: Value.postgresTypeOID))
            text.append("$")
            text.append(String(bindings.count))
        }

        /// Appends a trusted SQL fragment verbatim (never user input).
        public mutating func appendInterpolation(raw fragment: String) {
            text.append(fragment)
        }

        /// Appends a double-quoted identifier (schema, table or role name).
        public mutating func appendInterpolation(identifier name: String) {
            text.append(SQL.quoteIdentifier(name))
        }
    }

    /// Quotes an identifier for PostgreSQL: wraps it in double quotes and doubles embedded quotes.
    public static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// One bound parameter: its text form (nil for NULL) and its type OID (0 lets the server infer it).
struct SQLBinding: Sendable {
    var text: String?
    var typeOID: UInt32
}

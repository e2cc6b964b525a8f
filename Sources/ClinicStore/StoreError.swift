/// A database failure: what kind, the SQLSTATE and constraint, and a message that never carries data values.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// The broad category, for deciding how to react.
    public enum Kind: String, Sendable, Equatable {
        /// Could not connect, or the connection was lost.
        case connection
        /// The server rejected the statement.
        case query
        /// A unique, exclusion, foreign-key, not-null or check constraint was violated (SQLSTATE class 23).
        case constraintViolation
        /// Serialization failure (40001) or deadlock (40P01): the transaction may be retried.
        case serializationFailure
        /// A column could not be decoded into the requested Swift type.
        case decoding
        /// A migration could not be loaded or applied.
        case migration
    }

    /// The category.
    public var kind: Kind
    /// The five-character SQLSTATE, when the server sent one.
    public var sqlState: String?
    /// The violated constraint's name, when the server sent one.
    public var constraint: String?
    /// The table involved, when the server sent one.
    public var table: String?
    /// What went wrong, with quoted input values redacted.
    public var message: String
    /// The server's DETAIL field; it may contain data values, so it is never part of `description`.
    public var detail: String?

    /// Creates an error.
    public init(kind: Kind, sqlState: String? = nil, constraint: String? = nil, table: String? = nil,
                message: String, detail: String? = nil) {
        self.kind = kind
        self.sqlState = sqlState
        self.constraint = constraint
        self.table = table
        self.message = message
        self.detail = detail
    }

    /// 23505.
    public var isUniqueViolation: Bool { sqlState == "23505" }
    /// 23P01 (an exclusion constraint, e.g. a double booking).
    public var isExclusionViolation: Bool { sqlState == "23P01" }
    /// 23503.
    public var isForeignKeyViolation: Bool { sqlState == "23503" }
    /// 42501.
    public var isPermissionDenied: Bool { sqlState == "42501" }

    /// Kind, SQLSTATE, constraint and message; never the DETAIL.
    public var description: String {
        var text = "StoreError.\(kind.rawValue)"
        if let sqlState { text += " [\(sqlState)]" }
        text += ": \(message)"
        if let constraint { text += " (constraint \(constraint))" }
        return text
    }

    /// The kind implied by a SQLSTATE.
    static func kind(forSQLState state: String?) -> Kind {
        guard let state else { return .query }
        if state == "40001" || state == "40P01" { return .serializationFailure }
        if state.hasPrefix("23") { return .constraintViolation }
        if state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03" { return .connection }
        return .query
    }

    /// Removes double-quoted input echoes from data-exception messages (class 22), e.g.
    /// `invalid input syntax for type uuid: "13800138000"`.
    static func redacted(_ message: String, sqlState: String?) -> String {
        guard let sqlState, sqlState.hasPrefix("22") else { return message }
        var out = ""
        var inQuote = false
        for character in message {
            if character == "\"" {
                out.append(inQuote ? "…\"" : "\"")
                inQuote.toggle()
            } else if !inQuote {
                out.append(character)
            }
        }
        return out
    }
}

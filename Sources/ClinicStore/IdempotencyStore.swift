/// The reply stored for an idempotency key.
public struct StoredReply: Sendable, Equatable {
    /// The status code of the first reply.
    public var code: Int
    /// The encoded reply payload.
    public var payload: [UInt8]
    /// The status message.
    public var message: String

    /// Creates a stored reply.
    public init(code: Int, payload: [UInt8], message: String) {
        self.code = code
        self.payload = payload
        self.message = message
    }
}

/// Idempotency key → first result, stored in the same transaction as the write it guards.
public enum IdempotencyStore {
    /// The stored reply for `key` and `method`, if any.
    public static func find(key: String, method: String, on connection: Connection) throws -> StoredReply? {
        guard let row = try connection.query("""
            SELECT reply_code, reply_payload, reply_message FROM idempotency_keys
            WHERE key = \(key) AND method = \(method)
            """).first else { return nil }
        return StoredReply(code: try row.decode("reply_code"), payload: try row.decode("reply_payload"),
                           message: try row.decode("reply_message"))
    }

    /// Stores the reply. If a concurrent request with the same key saved first, this throws a unique
    /// violation: roll back and return the stored reply from `find`.
    public static func save(key: String, method: String, code: Int, payload: [UInt8], message: String,
                            on connection: Connection) throws {
        try connection.execute("""
            INSERT INTO idempotency_keys (key, method, reply_code, reply_payload, reply_message)
            VALUES (\(key), \(method), \(code), \(payload), \(message))
            """)
    }
}

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
        try connection.query(findStatement(key: key, method: method)).first.map(reply(from:))
    }

    /// Inside a transaction: takes the key's lock until the transaction ends (a second copy of a request waits
    /// there until the first has committed or rolled back), then reads the stored reply, in one round trip. The
    /// look-up is a statement of its own after the lock, so it sees a reply committed while it waited.
    public static func lockAndFind(key: String, method: String, on connection: Connection) throws -> StoredReply? {
        try lockAndFind(key: key, method: method, on: connection, thenRunning: []).reply
    }

    /// `lockAndFind`, with `statements` run after it in the same round trip; answers the stored reply and their rows.
    public static func lockAndFind(key: String, method: String, on connection: Connection,
                                   thenRunning statements: [SQL]) throws -> (reply: StoredReply?, rows: [[Row]]) {
        let results = try connection.pipeline([
            "SELECT pg_advisory_xact_lock(hashtext(\(method + "\u{1F}" + key)))",
            findStatement(key: key, method: method),
        ] + statements)
        return (try results[1].first.map(reply(from:)), Array(results.dropFirst(2)))
    }

    private static func findStatement(key: String, method: String) -> SQL {
        "SELECT reply_code, reply_payload, reply_message FROM idempotency_keys WHERE key = \(key) AND method = \(method)"
    }

    private static func reply(from row: Row) throws -> StoredReply {
        StoredReply(code: try row.decode("reply_code"), payload: try row.decode("reply_payload"),
                    message: try row.decode("reply_message"))
    }

    /// Stores the reply. If a concurrent request with the same key saved first, this throws a unique
    /// violation: roll back and return the stored reply from `find`.
    public static func save(key: String, method: String, code: Int, payload: [UInt8], message: String,
                            on connection: Connection) throws {
        try connection.execute(saveStatement(key: key, method: method, code: code, payload: payload, message: message))
    }

    /// Stores the reply with the transaction's COMMIT, in the same round trip (`Connection.executeAtCommit`); for a
    /// transaction that took the key's lock with `lockAndFind`, so no other copy can have saved first.
    public static func saveAtCommit(key: String, method: String, code: Int, payload: [UInt8], message: String,
                                    on connection: Connection) throws {
        try connection.executeAtCommit(saveStatement(key: key, method: method, code: code, payload: payload, message: message))
    }

    private static func saveStatement(key: String, method: String, code: Int, payload: [UInt8], message: String) -> SQL {
        """
        INSERT INTO idempotency_keys (key, method, reply_code, reply_payload, reply_message)
        VALUES (\(key), \(method), \(code), \(payload), \(message))
        """
    }
}

import ClinicBus
import ClinicStore
import SwiftProtobuf

/// Runs a write so that a retry carrying the same idempotency key returns the first result instead of writing twice.
public enum IdempotentWrite {
    /// Longest idempotency key accepted.
    public static let maxKeyLength = 200

    /// Runs `body` in a transaction; with an idempotency key, stores the response with the change and replays it on a repeat.
    ///
    /// `singleStatement` says the body writes with one statement, atomic on its own: without a key it then runs
    /// with no BEGIN and COMMIT around it, two round trips fewer.
    public static func perform<Response: SwiftProtobuf.Message>(
        _ context: RequestContext, on db: Connection, singleStatement: Bool = false, _ body: (Connection) throws -> Response
    ) throws -> Response {
        let key = context.idempotencyKey
        guard !key.isEmpty else { return singleStatement ? try body(db) : try db.transaction(body) }
        guard key.count <= maxKeyLength else {
            throw RPCError.invalidArgument(field: "idempotencyKey", "must be at most \(maxKeyLength) characters")
        }
        let method = context.header.method
        return try db.transaction { db in
            // Two copies of one request arriving together: the second waits here, then finds the first's result.
            _ = try db.query("SELECT pg_advisory_xact_lock(hashtext(\(method + "\u{1F}" + key)))")
            if let stored = try IdempotencyStore.find(key: key, method: method, on: db) {
                return try Response(serializedBytes: stored.payload)
            }
            let response = try body(db)
            try IdempotencyStore.save(key: key, method: method, code: 0, payload: try response.serializedBytes(),
                                      message: "", on: db)
            return response
        }
    }
}

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
        try perform(context, on: db, singleStatement: singleStatement, reading: []) { db, _ in try body(db) }
    }

    /// Runs `body` as `perform` does, with `prelude` (the locks and reads the body starts with) sent in the same round
    /// trip as the key's lock and look-up, after them; `body` gets their rows, in order. Each is a statement of its
    /// own, so each sees what was committed before the locks ahead of it were granted. On a repeat the prelude has run
    /// for nothing (its locks are released with the transaction).
    public static func perform<Response: SwiftProtobuf.Message>(
        _ context: RequestContext, on db: Connection, singleStatement: Bool = false, reading prelude: [SQL],
        _ body: (Connection, [[Row]]) throws -> Response
    ) throws -> Response {
        let key = context.idempotencyKey
        guard !key.isEmpty else {
            if singleStatement, prelude.isEmpty { return try body(db, []) }
            return try db.transaction { db in try body(db, try db.pipeline(prelude)) }
        }
        guard key.count <= maxKeyLength else {
            throw RPCError.invalidArgument(field: "idempotencyKey", "must be at most \(maxKeyLength) characters")
        }
        let method = context.header.method
        return try db.transaction { db in
            // Two copies of one request arriving together: the second waits at the key's lock, then finds the first's
            // result. The lock and the look-up travel with the BEGIN, and the reply is saved with the COMMIT.
            let (stored, read) = try IdempotencyStore.lockAndFind(key: key, method: method, on: db, thenRunning: prelude)
            if let stored { return try Response(serializedBytes: stored.payload) }
            let response = try body(db, read)
            try IdempotencyStore.saveAtCommit(key: key, method: method, code: 0, payload: try response.serializedBytes(),
                                              message: "", on: db)
            return response
        }
    }
}

/// The relay side of the outbox: stamps committed events with a gapless publish sequence.
///
/// A `bigserial` id is assigned at insert, not at commit, so ids can become visible out of order; the relay
/// (one per service, guarded by `tryAcquireRelayLock`) assigns `published_seq` itself in the order rows
/// become visible, so `published_seq` never skips a late-committing row.
public enum OutboxRelay {
    /// In one statement (atomic on its own, so one round trip with no BEGIN/COMMIT): takes up to `limit`
    /// unpublished rows in id order, gives them the next consecutive sequence numbers and the publish time, and
    /// returns them in sequence order.
    public static func stampNextBatch(limit: Int, on connection: Connection) throws -> [StampedEvent] {
        try connection.query("""
            WITH next AS (
                SELECT id FROM outbox WHERE published_seq IS NULL ORDER BY id LIMIT \(max(0, limit)) FOR UPDATE
            ), base AS (
                SELECT coalesce(max(published_seq), 0) AS seq FROM outbox
            ), numbered AS (
                SELECT next.id, base.seq + row_number() OVER (ORDER BY next.id) AS seq FROM next, base
            )
            UPDATE outbox SET published_seq = numbered.seq, published_at = now()
            FROM numbered WHERE outbox.id = numbered.id
            RETURNING outbox.published_seq, outbox.event_id, outbox.topic, outbox.type,
                      outbox.payload, outbox.created_at
            """).map(StampedEvent.init(row:)).sorted { $0.seq < $1.seq }
    }

    /// Tries to become the schema's single relay: a session-level advisory lock, held until the session
    /// ends (also lost on reconnect; see `Connection.reconnectCount`).
    public static func tryAcquireRelayLock(schema: String, on connection: Connection) throws -> Bool {
        let key = "clinic.relay/\(schema)"
        let rows = try connection.query("SELECT pg_try_advisory_lock(hashtextextended(\(key), 0)) AS locked")
        return try rows.first?.decode("locked", as: Bool.self) ?? false
    }
}

/// The transactional outbox: events written in the same transaction as the change they describe.
///
/// All helpers use the unqualified `outbox` table, i.e. the connection's own schema (its search_path).
public enum Outbox {
    /// Appends an event; call it inside the transaction that makes the change.
    public static func append(topic: String, type: String, payload: [UInt8], on connection: Connection) throws {
        try connection.execute("INSERT INTO outbox (topic, type, payload) VALUES (\(topic), \(type), \(payload))")
    }

    /// Appends an event; call it inside the transaction that makes the change.
    public static func append(_ entry: OutboxEntry, on connection: Connection) throws {
        try append(topic: entry.topic, type: entry.type, payload: entry.payload, on: connection)
    }

    /// Appends an event with the transaction's COMMIT, in the same round trip (`Connection.executeAtCommit`).
    public static func appendAtCommit(_ entry: OutboxEntry, on connection: Connection) throws {
        try connection.executeAtCommit("""
            INSERT INTO outbox (topic, type, payload) VALUES (\(entry.topic), \(entry.type), \(entry.payload))
            """)
    }

    /// Published events with a sequence above `afterSeq`, in sequence order (serves Events/Replay).
    public static func replay(afterSeq: UInt64, limit: Int, on connection: Connection) throws -> [StampedEvent] {
        try connection.query("""
            SELECT published_seq, event_id, topic, type, payload, created_at FROM outbox
            WHERE published_seq > \(Int64(clamping: afterSeq))
            ORDER BY published_seq
            LIMIT \(max(0, limit))
            """).map(StampedEvent.init(row:))
    }

    /// The highest published sequence, or 0 if nothing was published yet.
    public static func latestSeq(on connection: Connection) throws -> UInt64 {
        let rows = try connection.query("SELECT coalesce(max(published_seq), 0) AS seq FROM outbox")
        return UInt64(clamping: try rows.first?.decode("seq", as: Int64.self) ?? 0)
    }
}

/// One event ready for the outbox: its topic, its payload's message type and the encoded payload.
public struct OutboxEntry: Sendable, Equatable {
    /// Topic subscribers filter on, e.g. `clinic.reception.PatientRegistered`.
    public var topic: String
    /// Full message name of the payload, e.g. `clinic.reception.v1.PatientRegistered`.
    public var type: String
    /// The encoded event message.
    public var payload: [UInt8]

    /// Describes an event.
    public init(topic: String, type: String, payload: [UInt8]) {
        self.topic = topic
        self.type = type
        self.payload = payload
    }
}

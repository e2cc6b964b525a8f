/// The last event sequence a subscriber applied, per publisher, stored in the subscriber's schema.
public enum EventCheckpoint {
    /// The last applied sequence from `publisher`, or 0 if none.
    public static func lastApplied(publisher: String, on connection: Connection) throws -> UInt64 {
        let rows = try connection.query("SELECT last_seq FROM event_checkpoints WHERE publisher = \(publisher)")
        return UInt64(clamping: try rows.first?.decode("last_seq", as: Int64.self) ?? 0)
    }

    /// Moves the checkpoint forward to `seq`, in the same transaction as the event's effect.
    /// Never moves backwards: returns false (and changes nothing) if the checkpoint is already at or past `seq`.
    @discardableResult
    public static func advance(publisher: String, to seq: UInt64, on connection: Connection) throws -> Bool {
        try connection.execute("""
            INSERT INTO event_checkpoints AS checkpoint (publisher, last_seq, updated_at)
            VALUES (\(publisher), \(Int64(clamping: seq)), now())
            ON CONFLICT (publisher) DO UPDATE SET last_seq = EXCLUDED.last_seq, updated_at = now()
            WHERE checkpoint.last_seq < EXCLUDED.last_seq
            """) == 1
    }
}

import Logging

/// The tables every service schema gets (component "core"): outbox, event checkpoints, idempotency keys.
public enum CoreMigrations {
    /// All core migrations, in order.
    public static let all: [Migration] = [
        Migration(version: 1, name: "create_outbox", sql: """
            CREATE TABLE outbox (
                id bigserial PRIMARY KEY,
                event_id uuid NOT NULL DEFAULT gen_random_uuid(),
                topic text NOT NULL,
                type text NOT NULL,
                payload bytea NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                published_seq bigint UNIQUE,
                published_at timestamptz
            );
            CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_seq IS NULL;
            """),
        Migration(version: 2, name: "create_event_checkpoints", sql: """
            CREATE TABLE event_checkpoints (
                publisher text PRIMARY KEY,
                last_seq bigint NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            """),
        Migration(version: 3, name: "create_idempotency_keys", sql: """
            CREATE TABLE idempotency_keys (
                key text NOT NULL,
                method text NOT NULL,
                reply_code integer NOT NULL,
                reply_payload bytea NOT NULL,
                reply_message text NOT NULL DEFAULT '',
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (key, method)
            );
            """),
    ]

    /// Applies the core migrations to `schema`.
    @discardableResult
    public static func apply(schema: String, on connection: Connection, logger: Logger) throws -> [Int] {
        try Migrator.apply(all, component: "core", schema: schema, on: connection, logger: logger)
    }
}

import Logging

/// Applies numbered migrations to a schema exactly once, recording them in `<schema>.schema_migrations`.
public enum Migrator {
    /// Applies the migrations of `component` not yet recorded in `schema`, each in its own transaction,
    /// under an advisory lock so concurrent runs apply each migration once. Returns the versions applied.
    ///
    /// Migrations run with `search_path` set to the schema (then `extensions`); the previous path is restored.
    @discardableResult
    public static func apply(_ migrations: [Migration], component: String, schema: String,
                             on connection: Connection, logger: Logger) throws -> [Int] {
        let ordered = try Migration.sorted(migrations)
        let schemaName = SQL.quoteIdentifier(schema)
        let lockKey = "clinic.migrate/\(schema)/\(component)"
        _ = try connection.query("SELECT pg_advisory_lock(hashtextextended(\(lockKey), 0))")
        defer {
            _ = try? connection.query("SELECT pg_advisory_unlock(hashtextextended(\(lockKey), 0))")
        }
        let previousPath = try connection.query("SELECT current_setting('search_path') AS path")
            .first?.decode("path", as: String.self) ?? ""
        _ = try connection.query("SELECT set_config('search_path', \(schemaName + ", extensions"), false)")
        defer {
            _ = try? connection.query("SELECT set_config('search_path', \(previousPath), false)")
        }

        try connection.transaction { connection in
            // Components of one schema share this table; a schema-wide lock makes its creation race-free.
            _ = try connection.query(
                "SELECT pg_advisory_xact_lock(hashtextextended(\("clinic.migrate/\(schema)"), 0))")
            try connection.execute(script: """
                CREATE TABLE IF NOT EXISTS \(schemaName).schema_migrations (
                    component text NOT NULL,
                    version integer NOT NULL,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (component, version)
                )
                """)
        }

        let applied = Set(try connection.query("""
            SELECT version FROM \(raw: schemaName).schema_migrations WHERE component = \(component)
            """).map { try $0.decode("version", as: Int.self) })
        var newlyApplied: [Int] = []
        for migration in ordered where !applied.contains(migration.version) {
            do {
                try connection.transaction { connection in
                    try connection.execute(script: migration.sql)
                    try connection.execute("""
                        INSERT INTO \(raw: schemaName).schema_migrations (component, version, name)
                        VALUES (\(component), \(migration.version), \(migration.name))
                        """)
                }
            } catch let error as StoreError {
                throw StoreError(kind: .migration, sqlState: error.sqlState, constraint: error.constraint,
                                 table: error.table,
                                 message: "\(component) migration \(migration.version)_\(migration.name) failed: "
                                     + error.message,
                                 detail: error.detail)
            }
            logger.info("applied migration", metadata: [
                "component": "\(component)", "schema": "\(schema)",
                "version": "\(migration.version)", "name": "\(migration.name)",
            ])
            newlyApplied.append(migration.version)
        }
        return newlyApplied
    }
}

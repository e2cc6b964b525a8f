import ClinicStore
import ClinicTestSupport
import Foundation
import Synchronization
import Testing

@Suite("Migrator")
struct MigratorTests {
    static let migrations = [
        Migration(version: 1, name: "create_patients", sql: "CREATE TABLE patients (id bigserial PRIMARY KEY, name text NOT NULL);"),
        Migration(version: 2, name: "add_phone", sql: "ALTER TABLE patients ADD COLUMN phone text;"),
        Migration(version: 3, name: "index_phone", sql: "CREATE INDEX patients_phone ON patients (phone);"),
    ]

    @Test("migrations apply once, in order, and a second run applies nothing")
    func appliesOnce() async throws {
        try await onThread {
            let db = try ServiceDatabase.make("migrate")
            let connection = try db.connect()
            let first = try Migrator.apply(Array(Self.migrations.prefix(2)), component: "reception", schema: db.role,
                                           on: connection, logger: TestDatabase.logger)
            #expect(first == [1, 2])
            #expect(try Migrator.apply(Self.migrations, component: "reception", schema: db.role,
                                       on: connection, logger: TestDatabase.logger) == [3])
            #expect(try Migrator.apply(Self.migrations, component: "reception", schema: db.role,
                                       on: connection, logger: TestDatabase.logger) == [])
            // Another component in the same schema keeps its own versions.
            #expect(try CoreMigrations.apply(schema: db.role, on: connection, logger: TestDatabase.logger) == [1, 2, 3])
            let recorded = try connection.query("SELECT component, version FROM schema_migrations ORDER BY 1, 2")
                .map { "\(try $0.decode("component", as: String.self))/\(try $0.decode("version", as: Int.self))" }
            #expect(recorded == ["core/1", "core/2", "core/3", "reception/1", "reception/2", "reception/3"])
            try connection.execute("INSERT INTO patients (name, phone) VALUES (\("李娜"), \("13900000000"))")
        }
    }

    @Test("concurrent runs from two threads apply each migration exactly once")
    func concurrentRuns() async throws {
        let db = try await onThread { try ServiceDatabase.make("migrate_race") }
        @Sendable func run() throws -> [Int] {
            let connection = try db.connect()
            return try Migrator.apply(Self.migrations, component: "reception", schema: db.role,
                                      on: connection, logger: TestDatabase.logger)
        }
        async let first = onThread(run)
        async let second = onThread(run)
        let results = try await [first, second]
        #expect(results.flatMap { $0 }.sorted() == [1, 2, 3])
        let count = try await onThread {
            try db.connect().query("SELECT count(*) AS n FROM schema_migrations")[0].decode("n", as: Int.self)
        }
        #expect(count == 3)
    }

    @Test("a failing migration is reported, not recorded, and leaves earlier ones in place")
    func failingMigration() async throws {
        try await onThread {
            let db = try ServiceDatabase.make("migrate_fail")
            let connection = try db.connect()
            let broken = Self.migrations + [Migration(version: 4, name: "broken", sql: "CREATE TABLE oops (;")]
            let error = #expect(throws: StoreError.self) {
                try Migrator.apply(broken, component: "reception", schema: db.role, on: connection,
                                   logger: TestDatabase.logger)
            }
            #expect(error?.kind == .migration)
            #expect(error?.message.contains("4_broken") == true)
            let versions = try connection.query("SELECT version FROM schema_migrations ORDER BY version")
                .map { try $0.decode("version", as: Int.self) }
            #expect(versions == [1, 2, 3])
        }
    }

    @Test("migrations load from NNNN_name.sql files, sorted; duplicates and bad names are rejected")
    func loadFromDirectory() throws {
        let directory = try TestDatabase.makeScratchDirectory(prefix: "clinic-migrations")
        defer { try? FileManager.default.removeItem(at: directory) }
        func write(_ name: String, _ sql: String) throws {
            try Data(sql.utf8).write(to: directory.appendingPathComponent(name))
        }
        try write("0002_add_phone.sql", "ALTER TABLE patients ADD COLUMN phone text;")
        try write("0001_create_patients.sql", "CREATE TABLE patients (id bigint);")
        try write("README.md", "not a migration")
        let loaded = try Migration.load(directory: directory)
        #expect(loaded.map(\.version) == [1, 2])
        #expect(loaded.map(\.name) == ["create_patients", "add_phone"])
        #expect(loaded[0].sql == "CREATE TABLE patients (id bigint);")

        try write("0002_again.sql", "SELECT 1;")
        #expect(throws: StoreError.self) { try Migration.load(directory: directory) }
        try FileManager.default.removeItem(at: directory.appendingPathComponent("0002_again.sql"))
        try write("later.sql", "SELECT 1;")
        #expect(throws: StoreError.self) { try Migration.load(directory: directory) }
        #expect(throws: StoreError.self) { try Migration.load(directory: directory.appendingPathComponent("missing")) }
    }
}

import Foundation

/// One numbered schema change, written as plain SQL.
public struct Migration: Sendable, Equatable {
    /// Its number; migrations apply in ascending order.
    public var version: Int
    /// A short name, e.g. `create_patients`.
    public var name: String
    /// The SQL script; it runs inside a transaction, so it must not contain BEGIN/COMMIT.
    public var sql: String

    /// Creates a migration.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// The numbered migrations a service ships as the `Migrations` folder of its resource bundle.
    public static func load(bundle: Bundle, service: String) throws -> [Migration] {
        guard let directory = bundle.url(forResource: "Migrations", withExtension: nil) else {
            throw StoreError(kind: .migration, message: "\(service)'s Migrations folder is missing from the bundle")
        }
        return try load(directory: directory)
    }

    /// Loads `NNNN_name.sql` files from a directory, sorted by version; duplicate versions are rejected.
    public static func load(directory: URL) throws -> [Migration] {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw StoreError(kind: .migration, message: "cannot list migrations in \(directory.path)")
        }
        var migrations: [Migration] = []
        for file in files where file.hasSuffix(".sql") {
            let stem = String(file.dropLast(4))
            guard let separator = stem.firstIndex(of: "_"), let version = Int(stem[..<separator]), version > 0 else {
                throw StoreError(kind: .migration, message: "migration file \(file) is not named NNNN_name.sql")
            }
            let url = directory.appendingPathComponent(file)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw StoreError(kind: .migration, message: "cannot read migration \(file)")
            }
            migrations.append(Migration(version: version, name: String(stem[stem.index(after: separator)...]),
                                        sql: String(decoding: data, as: UTF8.self)))
        }
        return try sorted(migrations)
    }

    /// Sorts by version and rejects duplicates.
    static func sorted(_ migrations: [Migration]) throws -> [Migration] {
        let ordered = migrations.sorted { $0.version < $1.version }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where previous.version == next.version {
            throw StoreError(kind: .migration,
                             message: "duplicate migration version \(next.version) (\(previous.name), \(next.name))")
        }
        return ordered
    }
}

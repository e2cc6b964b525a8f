import ClinicService
import ClinicStore
import Foundation

/// Staff's SQL for signing keys. At most one key is current (a unique partial index says so); making or
/// replacing it takes a transaction-scoped advisory lock, so two instances starting or rotating together make
/// one key, not two.
enum SigningKeyStore {
    static let columns = "key_id, private_key, public_key, created_at, retired_at"

    /// The current key, made first if there is none yet (a fresh installation).
    static func current(on db: Connection) throws -> SigningKeyRecord {
        if let key = try findCurrent(on: db) { return key }
        return try db.transaction { db in
            try lockKeys(on: db)
            if let key = try findCurrent(on: db) { return key }
            return try insertNew(on: db)
        }
    }

    /// Retires the current key (erasing its private half) and makes a new one current; returns the new key.
    static func rotate(on db: Connection) throws -> SigningKeyRecord {
        try db.transaction { db in
            try lockKeys(on: db)
            try db.execute("UPDATE signing_keys SET retired_at = now(), private_key = NULL WHERE retired_at IS NULL")
            return try insertNew(on: db)
        }
    }

    /// What `rotateIfDue` did.
    enum Renewal: Equatable {
        /// There was no key: this is the first.
        case first(SigningKeyRecord)
        /// The current key was old enough: this one replaces it.
        case rotated(SigningKeyRecord)
    }

    /// Makes the first key, or replaces the current one when it is `period` old or older; nil when the current
    /// key is young enough.
    static func rotateIfDue(period: Duration, now: Date, on db: Connection) throws -> Renewal? {
        try db.transaction { db in
            try lockKeys(on: db)
            guard let current = try findCurrent(on: db) else { return .first(try insertNew(on: db)) }
            guard now.timeIntervalSince(current.createdAt) >= period.seconds else { return nil }
            return .rotated(try rotate(on: db))
        }
    }

    /// The keys that may have signed a token still unexpired: the current one, and those retired less than a
    /// token lifetime ago; newest first.
    static func verifiable(tokenLifetime: Duration, on db: Connection) throws -> [SigningKeyRecord] {
        try db.query("""
            SELECT \(raw: columns) FROM signing_keys
            WHERE retired_at IS NULL OR retired_at > now() - make_interval(secs => \(tokenLifetime.seconds))
            ORDER BY created_at DESC
            """).map(record(from:))
    }

    private static func findCurrent(on db: Connection) throws -> SigningKeyRecord? {
        try db.query("SELECT \(raw: columns) FROM signing_keys WHERE retired_at IS NULL").first.map(record(from:))
    }

    private static func lockKeys(on db: Connection) throws {
        _ = try db.query("SELECT pg_advisory_xact_lock(hashtext('staff.signing_keys')) AS locked")
    }

    private static func insertNew(on db: Connection) throws -> SigningKeyRecord {
        let key = SigningKeyRecord.generate()
        let rows = try db.query("""
            INSERT INTO signing_keys (key_id, private_key, public_key) VALUES (\(key.keyID), \(key.privateKey), \(key.publicKey))
            RETURNING \(raw: columns)
            """)
        guard let row = rows.first else { throw StoreError(kind: .query, message: "INSERT … RETURNING gave no row") }
        return try record(from: row)
    }

    private static func record(from row: Row) throws -> SigningKeyRecord {
        SigningKeyRecord(keyID: try row.decode("key_id"), privateKey: try row.decode("private_key"),
                         publicKey: try row.decode("public_key"), createdAt: try row.decode("created_at"),
                         retiredAt: try row.decode("retired_at"))
    }
}

import ClinicService
import ClinicStore
import Crypto
import Foundation

/// One Ed25519 key pair that signs staff tokens, as the signing_keys table holds it.
struct SigningKeyRecord: Sendable, Equatable {
    /// The `kid` in the header of the tokens it signs.
    var keyID: String
    /// The raw 32-byte private key; nil once retired (a retired key never signs again, so it is erased).
    var privateKey: [UInt8]?
    /// The raw 32-byte public key.
    var publicKey: [UInt8]
    var createdAt: Date
    /// When a newer key replaced it; nil for the current key.
    var retiredAt: Date?

    /// Whether new tokens are signed with it.
    var isCurrent: Bool { retiredAt == nil }

    /// After this, every token it signed has expired (nil while current).
    func verifyUntil(tokenLifetime: Duration) -> Date? {
        retiredAt.map { $0.addingTimeInterval(tokenLifetime.seconds) }
    }

    /// A fresh key pair from the system's random source, named by a random id.
    static func generate() -> (keyID: String, privateKey: [UInt8], publicKey: [UInt8]) {
        let key = Curve25519.Signing.PrivateKey()
        return (UUID.random().lowercasedText, Array(key.rawRepresentation), Array(key.publicKey.rawRepresentation))
    }
}

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

    /// Rotates when the current key is `period` old or older (or makes one when there is none); returns the new
    /// key, or nil when the current one is young enough.
    static func rotateIfDue(period: Duration, now: Date, on db: Connection) throws -> SigningKeyRecord? {
        try db.transaction { db in
            try lockKeys(on: db)
            guard let current = try findCurrent(on: db) else { return try insertNew(on: db) }
            guard now.timeIntervalSince(current.createdAt) >= period.seconds else { return nil }
            return try rotate(on: db)
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

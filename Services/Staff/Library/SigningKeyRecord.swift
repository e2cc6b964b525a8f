import ClinicService
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

import ClinicService
import ClinicStore
import Crypto
import Foundation
import JWTKit
import Synchronization

/// Signs staff tokens (jwt-kit, EdDSA) with the current signing key, its key id in the header. One issuer serves
/// all of a process's worker threads; jwt-kit is async, so a worker thread waits for it with `BlockingAwait`.
final class TokenIssuer: Sendable {
    /// A token and what it says.
    struct Issued: Sendable {
        var token: String
        var claims: StaffClaims
    }

    private let keys = JWTKeyCollection()
    /// The ids of the keys the collection holds (one more at each rotation; retired ones never sign again).
    private let loadedKeys = Mutex<Set<String>>([])
    /// How long tokens are accepted.
    let lifetime: Duration

    /// An issuer of tokens accepted for `lifetime`.
    init(lifetime: Duration) { self.lifetime = lifetime }

    /// A token for `member`, issued at `now` and signed with `key` (the current key). Blocks the calling worker
    /// thread for the signing.
    func issue(for member: MemberRecord, with key: SigningKeyRecord, now: Date = Date()) throws -> Issued {
        guard let privateKey = key.privateKey else {
            throw StoreError(kind: .decoding, message: "the current signing key has no private key")
        }
        let claims = StaffClaims(memberID: member.id.lowercasedText, name: member.name, roles: member.roles,
                                 branch: member.branch, issuedAt: now, lifetime: lifetime,
                                 tokenID: UUID.random().lowercasedText)
        let keyID = key.keyID
        let needsLoading = !loadedKeys.withLock { $0.contains(keyID) }
        let token = try BlockingAwait.run { [keys] () async throws -> String in
            let kid = JWKIdentifier(string: keyID)
            if needsLoading {
                let signing = try Curve25519.Signing.PrivateKey(rawRepresentation: privateKey)
                await keys.add(eddsa: EdDSA.PrivateKey(backing: signing), kid: kid)
            }
            return try await keys.sign(claims, kid: kid)
        }
        if needsLoading { loadedKeys.withLock { _ = $0.insert(keyID) } }
        return Issued(token: token, claims: claims)
    }
}

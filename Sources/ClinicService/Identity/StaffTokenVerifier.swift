import ClinicBus
import ClinicProto
import Crypto
import Foundation
import JWTKit
import Logging
import Synchronization

/// Where a verifier learns what to trust: clinic-staff's public signing keys and what it has revoked since.
public protocol StaffTrustSource: Sendable {
    /// Every key that may still have signed an unexpired token.
    func signingKeys() async throws -> [Clinic_Staff_V1_SigningKey]
    /// Revoked tokens and members who left, as of an event sequence.
    func revocations() async throws -> Clinic_Staff_V1_Revocations
    /// Staff's events after `seq` (a page), with the latest sequence.
    func events(after seq: UInt64) async throws -> Clinic_Bus_V1_ReplayResponse
}

/// Verifies staff tokens: the signature with clinic-staff's public keys (jwt-kit, EdDSA), the expiry, and that the
/// token was not revoked nor its member deactivated. A verified token is remembered by its SHA-256 until it
/// expires, so a token seen before costs a hash and two look-ups. `follow` keeps keys and revocations current.
public final class StaffTokenVerifier: Sendable {
    /// Why a token is refused.
    public enum Refusal: Error, Equatable, Sendable {
        /// Not a JWT, or not one of ours (no key id, unknown algorithm).
        case malformed
        /// Signed by a key clinic-staff does not list.
        case unknownKey
        /// The signature does not verify.
        case badSignature
        /// Past its expiry.
        case expired
        /// Signed out.
        case revoked
        /// Its member has left.
        case memberLeft
        /// The keys cannot be fetched right now (clinic-staff unreachable).
        case keysUnavailable

        /// The RPC error a caller gets: UNAUTHENTICATED, or UNAVAILABLE when the keys cannot be fetched. Never
        /// echoes the token.
        public var rpcError: RPCError {
            switch self {
            case .malformed: RPCError(.unauthenticated, "the staff token is malformed")
            case .unknownKey: RPCError(.unauthenticated, "the staff token is signed by an unknown key")
            case .badSignature: RPCError(.unauthenticated, "the staff token's signature does not verify")
            case .expired: RPCError(.unauthenticated, "the staff token has expired: sign in again")
            case .revoked: RPCError(.unauthenticated, "the staff token was signed out")
            case .memberLeft: RPCError(.unauthenticated, "the staff member has been deactivated")
            case .keysUnavailable: RPCError.unavailable("staff tokens cannot be checked now: the staff service is unreachable")
            }
        }
    }

    private struct Trust {
        var keyIDs: Set<String> = []
        var lastKeyFetch: ContinuousClock.Instant?
        /// The fetch under way, which later callers join.
        var keyFetch: Task<Bool, Never>?
        var revokedTokens: [String: Date] = [:]
        var leftMembers: Set<String> = []
        var seq: UInt64 = 0
        var synced = false
        var verified: [SHA256Digest: StaffClaims] = [:]
    }

    /// Most verified tokens remembered at once; beyond it the expired ones go, then all.
    public static let cacheLimit = 50_000
    /// Least time between two fetches of the keys when an unknown key id appears.
    public static let keyRefetchInterval: Duration = .seconds(1)

    private let source: any StaffTrustSource
    private let keys = JWTKeyCollection()
    private let trust = Mutex(Trust())
    private let logger: Logger

    /// A verifier fed by `source`.
    public init(source: any StaffTrustSource, logger: Logger) {
        self.source = source
        self.logger = logger
    }

    // MARK: Verifying

    /// The verified claims of `token`, or why it is refused.
    public func verify(_ token: String) async throws(Refusal) -> StaffClaims {
        let digest = SHA256.hash(data: Data(token.utf8))
        if let claims = try remembered(digest) { return claims }
        let header: JWTHeader
        do {
            header = try DefaultJWTParser().parse([UInt8](token.utf8), as: StaffClaims.self).header
        } catch {
            throw .malformed
        }
        guard let keyID = header.kid, header.alg == "EdDSA" else { throw .malformed }
        if !trust.withLock({ $0.keyIDs.contains(keyID) }) {
            try await refreshKeys(force: false)
            guard trust.withLock({ $0.keyIDs.contains(keyID) }) else { throw .unknownKey }
        }
        let claims: StaffClaims
        do {
            claims = try await keys.verify(token, as: StaffClaims.self)
        } catch let error as JWTError where error.errorType == .claimVerificationFailure {
            throw .expired
        } catch {
            throw .badSignature
        }
        try trust.withLock { trust throws(Refusal) in
            try Self.check(claims, against: trust)
            if trust.verified.count >= Self.cacheLimit { Self.prune(&trust) }
            trust.verified[digest] = claims
        }
        return claims
    }

    /// `verify` for a worker thread (never a thread of Swift's cooperative pool): a token seen before is answered
    /// at once; a new one waits for the verification.
    public func verifyBlocking(_ token: String) throws(Refusal) -> StaffClaims {
        let digest = SHA256.hash(data: Data(token.utf8))
        if let claims = try remembered(digest) { return claims }
        return try BlockingAwait.run { () async throws(Refusal) -> StaffClaims in try await self.verify(token) }
    }

    private func remembered(_ digest: SHA256Digest) throws(Refusal) -> StaffClaims? {
        try trust.withLock { trust throws(Refusal) -> StaffClaims? in
            guard let claims = trust.verified[digest] else { return nil }
            if claims.exp.value <= Date() {
                trust.verified[digest] = nil
                throw .expired
            }
            try Self.check(claims, against: trust)
            return claims
        }
    }

    private static func check(_ claims: StaffClaims, against trust: Trust) throws(Refusal) {
        if trust.revokedTokens[claims.jti.value] != nil { throw .revoked }
        if trust.leftMembers.contains(claims.sub.value) { throw .memberLeft }
    }

    private static func prune(_ trust: inout Trust) {
        let now = Date()
        trust.verified = trust.verified.filter { $0.value.exp.value > now }
        if trust.verified.count >= cacheLimit { trust.verified.removeAll() }
    }

    // MARK: Keeping current

    /// Takes clinic-staff's current keys (at most once per `keyRefetchInterval` unless forced). A caller arriving
    /// while a fetch is under way waits for that fetch rather than being turned away by the interval, so that a
    /// token signed by a key the fetch brings is not refused meanwhile (as at start, before the first fetch ends).
    public func refreshKeys(force: Bool) async throws(Refusal) {
        let fetch = trust.withLock { trust -> Task<Bool, Never>? in
            if let running = trust.keyFetch { return running }
            let now = ContinuousClock.now
            if !force, let last = trust.lastKeyFetch, now - last < Self.keyRefetchInterval { return nil }
            trust.lastKeyFetch = now
            // Made under the lock, so the fetch's own clearing of `keyFetch` comes after this store.
            let task = Task { await self.fetchKeys() }
            trust.keyFetch = task
            return task
        }
        guard let fetch else { return }
        guard await fetch.value else { throw .keysUnavailable }
    }

    /// One fetch of the keys into the collection; false when the source cannot be reached.
    private func fetchKeys() async -> Bool {
        defer { trust.withLock { $0.keyFetch = nil } }
        let listed: [Clinic_Staff_V1_SigningKey]
        do {
            listed = try await source.signingKeys()
        } catch {
            logger.warning("staff signing keys unavailable", metadata: ["error": "\(error)"])
            return false
        }
        var ids: Set<String> = []
        for key in listed {
            guard let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: key.publicKey) else { continue }
            await keys.add(eddsa: EdDSA.PublicKey(backing: publicKey), kid: JWKIdentifier(string: key.keyID))
            ids.insert(key.keyID)
        }
        let gone = trust.withLock { trust -> Set<String> in
            let gone = trust.keyIDs.subtracting(ids)
            trust.keyIDs = ids
            return gone
        }
        for keyID in gone { await keys.remove(kid: JWKIdentifier(string: keyID)) }
        // A token without a known key id must never fall back to a default key.
        await keys.clearDefault()
        return true
    }

    /// Brings revocations up to date: the whole state the first time, then the events since.
    public func catchUp() async throws {
        if !trust.withLock({ $0.synced }) {
            let state = try await source.revocations()
            trust.withLock { trust in
                for token in state.tokens { trust.revokedTokens[token.tokenID] = token.expiresAt.date }
                for member in state.members { trust.leftMembers.insert(member.memberID) }
                trust.seq = state.asOfSeq
                trust.synced = true
            }
        }
        while true {
            let after = trust.withLock { $0.seq }
            let page = try await source.events(after: after)
            for event in page.events { apply(event) }
            guard let last = page.events.last?.header.seq, last < page.latestSeq else { break }
        }
        let now = Date()
        trust.withLock { trust in trust.revokedTokens = trust.revokedTokens.filter { $0.value > now } }
    }

    /// Applies one staff event (a sign-out or a deactivation) at once.
    public func apply(_ event: Clinic_Bus_V1_Event) {
        let type = event.header.type
        trust.withLock { trust in
            guard event.header.seq > trust.seq else { return }
            trust.seq = event.header.seq
            switch type {
            case Clinic_Staff_V1_SessionRevoked.protoMessageName:
                if let revoked = try? Clinic_Staff_V1_SessionRevoked(serializedBytes: event.payload) {
                    trust.revokedTokens[revoked.tokenID] = revoked.expiresAt.date
                }
            case Clinic_Staff_V1_StaffDeactivated.protoMessageName:
                if let left = try? Clinic_Staff_V1_StaffDeactivated(serializedBytes: event.payload) {
                    trust.leftMembers.insert(left.memberID)
                }
            default:
                break
            }
        }
    }

    /// Refuses `tokenID` from now on (the gateway does so the moment a sign-out it carried succeeds).
    public func revoke(tokenID: String, expiresAt: Date) {
        trust.withLock { $0.revokedTokens[tokenID] = expiresAt }
    }

    /// Keeps keys and revocations current until the task is cancelled: catches up every `interval`, and refetches
    /// the keys every `keyInterval` so that retired ones are dropped.
    public func follow(every interval: Duration = .seconds(1), keyInterval: Duration = .seconds(60)) async {
        var lastKeys = ContinuousClock.now - keyInterval
        var failing = false
        while !Task.isCancelled {
            do {
                if ContinuousClock.now - lastKeys >= keyInterval {
                    try await refreshKeys(force: true)
                    lastKeys = .now
                }
                try await catchUp()
                if failing { logger.info("staff revocations current again") }
                failing = false
            } catch {
                if !failing { logger.warning("staff revocations not current", metadata: ["error": "\(error)"]) }
                failing = true
            }
            try? await Task.sleep(for: interval)
        }
    }
}

import ClinicContract
import Foundation
import JWTKit

/// What a staff token says: who signed in, in which roles and branch, until when. clinic-staff signs it (EdDSA,
/// its key id in the header); the gateway and every service verify it.
public struct StaffClaims: JWTPayload, Sendable, Equatable {
    /// The member's id.
    public var sub: SubjectClaim
    /// The member's name.
    public var name: String
    /// Role names, e.g. `["desk", "nurse"]`.
    public var roles: [String]
    /// The member's branch ("" when none).
    public var branch: String
    /// When the token was issued.
    public var iat: IssuedAtClaim
    /// When the token stops being accepted.
    public var exp: ExpirationClaim
    /// The token's own id, by which sign-out revokes it.
    public var jti: IDClaim

    /// Claims for a member signing in at `issuedAt` for `lifetime`.
    public init(memberID: String, name: String, roles: [StaffRole], branch: String, issuedAt: Date, lifetime: Duration,
                tokenID: String) {
        sub = SubjectClaim(value: memberID)
        self.name = name
        self.roles = roles.map(\.name)
        self.branch = branch
        iat = IssuedAtClaim(value: issuedAt)
        exp = ExpirationClaim(value: issuedAt.addingTimeInterval(Double(lifetime.components.seconds)))
        jti = IDClaim(value: tokenID)
    }

    /// Refuses an expired token.
    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }

    /// The roles the token names that the contract knows (unknown names are ignored, never widened).
    public var staffRoles: Set<StaffRole> { Set(roles.compactMap(StaffRole.init(name:))) }
}

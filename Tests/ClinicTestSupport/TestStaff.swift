import ClinicBus
import ClinicProto
import ClinicService
import Crypto
import Dispatch
import Foundation
import JWTKit
import Synchronization

/// Staff tokens for tests of services that run without clinic-staff: signed for real (jwt-kit, EdDSA) with one
/// key of the test process, which `trust` hands to the service's verifier in place of staff's published keys.
public enum TestStaff {
    /// The key id of the test signing key.
    public static let keyID = "test-signing-key"
    static let privateKey = Curve25519.Signing.PrivateKey()
    static let signer = JWTKeyCollection()

    /// The trust source a service under test verifies test tokens with.
    public static let trust = FixedStaffTrust(publicKey: privateKey.publicKey, keyID: keyID)

    /// A token for a member with `roles`, valid for `lifetime`.
    public static func token(_ roles: [StaffRole], memberID: String = UUID().uuidString.lowercased(), name: String = "测试员工",
                             lifetime: Duration = .seconds(3600)) async -> String {
        let claims = StaffClaims(memberID: memberID, name: name, roles: roles, branch: "总院", issuedAt: Date(),
                                 lifetime: lifetime, tokenID: UUID().uuidString.lowercased())
        await signer.add(eddsa: EdDSA.PrivateKey(backing: privateKey), kid: JWKIdentifier(string: keyID))
        return (try? await signer.sign(claims, kid: JWKIdentifier(string: keyID))) ?? ""
    }
}

/// A trust source with one fixed public key and nothing revoked.
public struct FixedStaffTrust: StaffTrustSource {
    let publicKey: Curve25519.Signing.PublicKey
    let keyID: String

    /// The one key.
    public func signingKeys() async throws -> [Clinic_Staff_V1_SigningKey] {
        var key = Clinic_Staff_V1_SigningKey()
        key.keyID = keyID
        key.publicKey = publicKey.rawRepresentation
        key.current = true
        return [key]
    }

    /// Nothing revoked.
    public func revocations() async throws -> Clinic_Staff_V1_Revocations { Clinic_Staff_V1_Revocations() }

    /// No events.
    public func events(after seq: UInt64) async throws -> Clinic_Bus_V1_ReplayResponse {
        var page = Clinic_Bus_V1_ReplayResponse()
        page.latestSeq = seq
        return page
    }
}

extension ServiceDefinition {
    /// The definition with its token verifier fed by `source` (tests without clinic-staff).
    public func trusting(_ source: any StaffTrustSource) -> ServiceDefinition {
        var definition = self
        definition.trustSource = { _, _ in source }
        return definition
    }
}

extension StaffGate {
    /// A gate verifying test tokens, granting nothing to bus identities but `system` to the anonymous peer of a
    /// plain test bus.
    public static let forTests = StaffGate(verifier: StaffTokenVerifier(source: TestStaff.trust, logger: .init(label: "test.gate")),
                                           peers: PeerRoles.standard(plainBus: true))
}

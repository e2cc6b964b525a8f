import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import JWTKit
import Testing
@testable import Staff

/// A token's life after sign-in: expiry, key rotation, sign-out and deactivation, as verifiers see them.
@Suite("Staff tokens")
struct TokenLifecycleTests {
    typealias Staff = Clinic_Staff_V1_Staff

    func keyID(of token: String) throws -> String? {
        try DefaultJWTParser().parse([UInt8](token.utf8), as: StaffClaims.self).header.kid
    }

    @Test func aTokenExpiresAfterItsLifetime() async throws {
        let harness = try await StaffHarness.start(configuration: StaffConfiguration(bcryptCost: 4, tokenLifetime: .seconds(2)))
        defer { harness.stop() }
        let signedIn = try await harness.signIn(StaffHarness.adminAccount, StaffHarness.adminPassword)
        let verifier = harness.verifier()
        _ = try await verifier.verify(signedIn.token)
        _ = try await harness.call(Staff.getMe, Clinic_Staff_V1_GetMeRequest(), token: signedIn.token)
        try await Task.sleep(for: .milliseconds(3200))
        await #expect(throws: StaffTokenVerifier.Refusal.expired) { try await verifier.verify(signedIn.token) }
        await #expect(throws: StaffTokenVerifier.Refusal.expired) { try await harness.verifier().verify(signedIn.token) }
        let late = await rpcResult { try await harness.call(Staff.getMe, Clinic_Staff_V1_GetMeRequest(), token: signedIn.token) }
        #expect(late.code == .unauthenticated)
    }

    @Test func tokensSignedBeforeARotationStillVerify() async throws {
        let harness = try await StaffHarness.start()
        defer { harness.stop() }
        let old = try await harness.adminToken()
        let oldKey = try keyID(of: old)
        let rotated = try await harness.call(Staff.rotateSigningKey, Clinic_Staff_V1_RotateSigningKeyRequest(), token: old)
        #expect(rotated.current && rotated.keyID != oldKey && rotated.publicKey.count == 32)

        // The old token still works, at the service and at a verifier that never saw it.
        _ = try await harness.call(Staff.getMe, Clinic_Staff_V1_GetMeRequest(), token: old)
        #expect(try await harness.verifier().verify(old).name == "管理员")

        let new = try await harness.adminToken()
        #expect(try keyID(of: new) == rotated.keyID)
        #expect(try await harness.verifier().verify(new).name == "管理员")

        // Both keys are listed, public halves only; the old one until a token lifetime after it retired.
        let keys = try await harness.call(Staff.listSigningKeys, Clinic_Staff_V1_ListSigningKeysRequest()).keys
        #expect(keys.map(\.keyID) == [rotated.keyID, oldKey])
        #expect(keys.map(\.current) == [true, false])
        let retiredFor = keys[1].verifyUntil.date.timeIntervalSinceNow
        #expect(retiredFor > 12 * 3600 - 60 && retiredFor <= 12 * 3600)
        let privateHalves = try await harness.inDatabase { db in
            try db.query("SELECT key_id FROM signing_keys WHERE private_key IS NOT NULL").map { try $0.decode("key_id", as: String.self) }
        }
        #expect(privateHalves == [rotated.keyID])
    }

    @Test func theRotationJobReplacesAnOldKey() async throws {
        let harness = try await StaffHarness.start(configuration: StaffConfiguration(
            bcryptCost: 4, keyRotationPeriod: .seconds(60), keyRotationCheckInterval: .milliseconds(100)))
        defer { harness.stop() }
        let before = try await harness.adminToken()
        let first = try keyID(of: before)
        // Age the current key past the period, as thirty days would.
        try await harness.inDatabase { db in
            try db.execute("UPDATE signing_keys SET created_at = now() - interval '2 minutes' WHERE retired_at IS NULL")
        }
        #expect(try await eventually {
            let keys = try await harness.call(Staff.listSigningKeys, Clinic_Staff_V1_ListSigningKeysRequest()).keys
            return keys.count == 2 && keys.first?.current == true && keys.first?.keyID != first
        })
        #expect(try await harness.verifier().verify(before).name == "管理员")
        #expect(try keyID(of: try await harness.adminToken()) != first)
    }

    @Test func signingOutRevokesTheTokenEverywhere() async throws {
        let harness = try await StaffHarness.start()
        defer { harness.stop() }
        let signedIn = try await harness.signIn(StaffHarness.adminAccount, StaffHarness.adminPassword)
        let other = try await harness.adminToken()
        // A verifier that has seen the token, then follows staff's events.
        let follower = harness.verifier()
        let claims = try await follower.verify(signedIn.token)
        try await follower.catchUp()

        _ = try await harness.call(Staff.signOut, Clinic_Staff_V1_SignOutRequest(), token: signedIn.token)

        // A system caller (the anonymous peer of a bus without CURVE) reads the revocations.
        let revocations = try await harness.call(Staff.getRevocations, Clinic_Staff_V1_GetRevocationsRequest())
        #expect(revocations.tokens.map(\.tokenID) == [claims.jti.value])
        #expect(abs(revocations.tokens[0].expiresAt.date.timeIntervalSince(claims.exp.value)) < 1)
        #expect(revocations.asOfSeq >= 1)
        let published = try await harness.outboxTypes()
        #expect(published.last == Clinic_Staff_V1_SessionRevoked.protoMessageName)

        #expect(try await eventually {
            try await follower.catchUp()
            return (try? await follower.verify(signedIn.token)) == nil
        })
        await #expect(throws: StaffTokenVerifier.Refusal.revoked) { try await follower.verify(signedIn.token) }
        await #expect(throws: StaffTokenVerifier.Refusal.revoked) {
            let fresh = harness.verifier()
            try await fresh.catchUp()
            _ = try await fresh.verify(signedIn.token)
        }
        // The service's own gate refuses it within seconds; the member's other token is untouched.
        #expect(try await eventually {
            await rpcResult { try await harness.call(Staff.getMe, Clinic_Staff_V1_GetMeRequest(), token: signedIn.token) }.code
                == .unauthenticated
        })
        _ = try await harness.call(Staff.getMe, Clinic_Staff_V1_GetMeRequest(), token: other)
    }

    @Test func deactivationMakesVerifiersRefuseTheMembersTokens() async throws {
        let harness = try await StaffHarness.start()
        defer { harness.stop() }
        let admin = try await harness.adminToken()
        let member = try await harness.addMember("feng.doctor", roles: [.doctor], password: "doctor-password", adminToken: admin)
        let token = try await harness.signIn("feng.doctor", "doctor-password").token
        let follower = harness.verifier()
        _ = try await follower.verify(token)
        try await follower.catchUp()

        var deactivate = Clinic_Staff_V1_DeactivateMemberRequest()
        deactivate.memberID = member.id
        _ = try await harness.call(Staff.deactivateMember, deactivate, token: admin)

        #expect(try await eventually {
            try await follower.catchUp()
            return (try? await follower.verify(token)) == nil
        })
        await #expect(throws: StaffTokenVerifier.Refusal.memberLeft) { try await follower.verify(token) }
        let revocations = try await harness.call(Staff.getRevocations, Clinic_Staff_V1_GetRevocationsRequest())
        #expect(revocations.members.map(\.memberID) == [member.id])
        #expect(try await eventually {
            await rpcResult { try await harness.call(Staff.getMe, Clinic_Staff_V1_GetMeRequest(), token: token) }.code == .unauthenticated
        })
        let again = await rpcResult { try await harness.signIn("feng.doctor", "doctor-password") }
        #expect(again.code == .unauthenticated && again.message == StaffError.signInRefusal)
    }
}

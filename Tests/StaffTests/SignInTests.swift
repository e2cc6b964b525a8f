import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import JWTKit
import Testing
@testable import Staff

/// Signing in: the token and its claims, refusals that all look alike, the audit, and that no password is kept.
@Suite("Signing in")
struct SignInTests {
    typealias Staff = Clinic_Staff_V1_Staff

    @Test func aSignInReturnsATokenEveryVerifierAccepts() async throws {
        let harness = try await StaffHarness.start()
        defer { harness.stop() }
        let admin = try await harness.adminToken()
        var create = Clinic_Staff_V1_CreateMemberRequest()
        create.account = "zhao.nurse"
        create.name = "赵护士"
        create.roles = [.nurse, .desk]
        create.branch = "西区"
        create.password = "nurse-password-1"
        let member = try await harness.call(Staff.createMember, create, token: admin)
        #expect(member.hasPassword_p)

        let before = Date()
        // Accounts are matched whatever the case typed.
        let signedIn = try await harness.signIn("Zhao.Nurse", "nurse-password-1", clientAddress: "192.0.2.7")
        #expect(signedIn.member.id == member.id)
        let lifetime = signedIn.expiresAt.date.timeIntervalSince(before)
        #expect(lifetime > 12 * 3600 - 5 && lifetime <= 12 * 3600 + 1)

        let claims = try await harness.verifier().verify(signedIn.token)
        #expect(claims.sub.value == member.id)
        #expect(claims.name == "赵护士")
        #expect(claims.staffRoles == [.desk, .nurse])
        #expect(claims.branch == "西区")
        #expect(!claims.jti.value.isEmpty)
        #expect(abs(claims.exp.value.timeIntervalSince(signedIn.expiresAt.date)) < 1)
        // The header names the current key.
        let keys = try await harness.call(Staff.listSigningKeys, Clinic_Staff_V1_ListSigningKeysRequest())
        let header = try DefaultJWTParser().parse([UInt8](signedIn.token.utf8), as: StaffClaims.self).header
        #expect(header.alg == "EdDSA")
        #expect(keys.keys.filter(\.current).map(\.keyID) == [header.kid])
        #expect(keys.keys.allSatisfy { $0.publicKey.count == 32 })

        // The service's own gate accepts it too.
        let me = try await harness.call(Staff.getMe, Clinic_Staff_V1_GetMeRequest(), token: signedIn.token)
        #expect(me.account == "zhao.nurse")

        let audit = try await harness.call(Staff.listSignIns, { var r = Clinic_Staff_V1_ListSignInsRequest(); r.account = "zhao.nurse"; return r }(),
                                           token: admin)
        #expect(audit.attempts.count == 1)
        #expect(audit.attempts.first?.succeeded == true)
        #expect(audit.attempts.first?.memberID == member.id)
        #expect(audit.attempts.first?.clientAddress == "192.0.2.7")
    }

    @Test func everyRefusalLooksTheSameAndTheAuditKnowsWhy() async throws {
        let harness = try await StaffHarness.start()
        defer { harness.stop() }
        let admin = try await harness.adminToken()
        let leaving = try await harness.addMember("leaving", password: "leaving-password", adminToken: admin)
        _ = try await harness.addMember("nopass", password: nil, adminToken: admin)
        var deactivate = Clinic_Staff_V1_DeactivateMemberRequest()
        deactivate.memberID = leaving.id
        _ = try await harness.call(Staff.deactivateMember, deactivate, token: admin)

        let wrong = await rpcResult { try await harness.signIn(StaffHarness.adminAccount, "not-the-password") }
        let unknown = await rpcResult { try await harness.signIn("nobody", "whatever-password") }
        let inactive = await rpcResult { try await harness.signIn("leaving", "leaving-password") }
        let noPassword = await rpcResult { try await harness.signIn("nopass", "anything-at-all") }
        for refusal in [wrong, unknown, inactive, noPassword] {
            #expect(refusal.code == .unauthenticated)
            #expect(refusal.message == StaffError.signInRefusal)
            #expect(refusal.error?.violations.isEmpty == true)
        }

        let audit = try await harness.call(Staff.listSignIns, Clinic_Staff_V1_ListSignInsRequest(), token: admin)
        let failures = audit.attempts.filter { !$0.succeeded }.map { "\($0.account):\($0.failure)" }
        #expect(failures == ["nopass:no_password", "leaving:inactive", "nobody:unknown_account", "admin:wrong_password"])
        #expect(audit.attempts.first { $0.account == "nobody" }?.memberID == "")
        #expect(audit.attempts.first { $0.account == "leaving" }?.memberID == leaving.id)
    }

    @Test func noPasswordIsEverStoredLoggedOrPublished() async throws {
        let harness = try await StaffHarness.start()
        defer { harness.stop() }
        let admin = try await harness.adminToken()
        let secret = "Sekrit-Desk-Pass-42"
        let wrongGuess = "Wrong-Guess-Pass-77"
        let member = try await harness.addMember("qian.desk", password: secret, adminToken: admin)
        _ = try await harness.signIn("qian.desk", secret)
        _ = await rpcResult { try await harness.signIn("qian.desk", wrongGuess) }
        var reset = Clinic_Staff_V1_SetPasswordRequest()
        reset.memberID = member.id
        reset.newPassword = "Reset-Desk-Pass-99"
        _ = try await harness.call(Staff.setPassword, reset, token: admin)
        let token = try await harness.signIn("qian.desk", "Reset-Desk-Pass-99").token
        var change = Clinic_Staff_V1_ChangePasswordRequest()
        change.currentPassword = wrongGuess
        change.newPassword = "Changed-Desk-Pass-55"
        _ = await rpcResult { try await harness.call(Staff.changePassword, change, token: token) }

        let passwords = [secret, wrongGuess, "Reset-Desk-Pass-99", "Changed-Desk-Pass-55", StaffHarness.adminPassword]
        let stored = try await harness.inDatabase { db in
            let tables = try db.query("SELECT t::text AS row FROM sign_in_attempts t UNION ALL SELECT t::text FROM members t")
                .map { try $0.decode("row", as: String.self) }
            let payloads = try db.query("SELECT payload FROM outbox").map { try $0.decode("payload", as: [UInt8].self) }
            return (tables, payloads)
        }
        for password in passwords {
            #expect(!stored.0.contains { $0.contains(password) })
            #expect(!stored.1.contains { String(decoding: $0, as: UTF8.self).contains(password) })
            #expect(!harness.logs.all.contains { $0.contains(password) })
        }
        // Hashes are bcrypt's, and never leave the members table.
        #expect(stored.0.contains { $0.contains("$2b$04$") })
        #expect(!stored.1.contains { String(decoding: $0, as: UTF8.self).contains("$2b$") })
        #expect(!harness.logs.all.contains { $0.contains("$2b$") || $0.contains(token) })
        #expect(harness.logs.all.contains { $0.contains("staff sign-in refused") })
    }

    @Test func aWrongCurrentPasswordIsRefusedNamingTheFieldAndCounts() async throws {
        let harness = try await StaffHarness.start()
        defer { harness.stop() }
        let admin = try await harness.adminToken()
        _ = try await harness.addMember("sun.cashier", roles: [.cashier], password: "cashier-password", adminToken: admin)
        let token = try await harness.signIn("sun.cashier", "cashier-password").token

        var change = Clinic_Staff_V1_ChangePasswordRequest()
        change.currentPassword = "not-my-password"
        change.newPassword = "new-cashier-password"
        let wrong = await rpcResult { try await harness.call(Staff.changePassword, change, token: token) }
        #expect(wrong.code == .invalidArgument)
        #expect(wrong.error?.violations.map(\.field) == ["currentPassword"])

        change.currentPassword = "cashier-password"
        change.newPassword = "short"
        let weak = await rpcResult { try await harness.call(Staff.changePassword, change, token: token) }
        #expect(weak.code == .invalidArgument)
        #expect(weak.error?.violations.map(\.field) == ["newPassword"])

        change.newPassword = "new-cashier-password"
        _ = try await harness.call(Staff.changePassword, change, token: token)
        #expect(await rpcResult { try await harness.signIn("sun.cashier", "cashier-password") }.code == .unauthenticated)
        _ = try await harness.signIn("sun.cashier", "new-cashier-password")

        var list = Clinic_Staff_V1_ListSignInsRequest()
        list.account = "sun.cashier"
        let failures = try await harness.call(Staff.listSignIns, list, token: admin).attempts.map(\.failure)
        #expect(failures == ["", "wrong_password", "wrong_current_password", ""])
    }
}

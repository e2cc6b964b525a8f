import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import Testing
@testable import Staff

/// Lock-out over the bus: sequential and concurrent failures, and an admin's reset.
@Suite("Lock-out")
struct LockOutTests {
    typealias Staff = Clinic_Staff_V1_Staff

    func failures(of account: String, harness: StaffHarness, token: String) async throws -> [String] {
        var list = Clinic_Staff_V1_ListSignInsRequest()
        list.account = account
        list.page.pageSize = 100
        return try await harness.call(Staff.listSignIns, list, token: token).attempts.filter { !$0.succeeded }.map(\.failure)
    }

    @Test func fiveWrongPasswordsLockTheAccountUntilAnAdminResetsIt() async throws {
        let harness = try await StaffHarness.start()
        defer { harness.stop() }
        let admin = try await harness.adminToken()
        let member = try await harness.addMember("zhou.desk", password: "right-password", adminToken: admin)

        for _ in 0..<4 { _ = await rpcResult { try await harness.signIn("zhou.desk", "wrong-password") } }
        // Four failures lock nothing.
        _ = try await harness.signIn("zhou.desk", "right-password")
        // A success ends the run: four more still lock nothing, the fifth does.
        for _ in 0..<5 { _ = await rpcResult { try await harness.signIn("zhou.desk", "wrong-password") } }
        let locked = await rpcResult { try await harness.signIn("zhou.desk", "right-password") }
        #expect(locked.code == .unauthenticated)
        #expect(locked.message == StaffError.signInRefusal)
        #expect(try await failures(of: "zhou.desk", harness: harness, token: admin)
                == ["locked"] + Array(repeating: "wrong_password", count: 9))

        var get = Clinic_Staff_V1_GetMemberRequest()
        get.memberID = member.id
        let shown = try await harness.call(Staff.getMember, get, token: admin)
        #expect(shown.hasLockedUntil)
        let lockLength = shown.lockedUntil.date.timeIntervalSinceNow
        #expect(lockLength > 14 * 60 && lockLength <= 15 * 60)

        var reset = Clinic_Staff_V1_SetPasswordRequest()
        reset.memberID = member.id
        reset.newPassword = "fresh-password"
        _ = try await harness.call(Staff.setPassword, reset, token: admin)
        #expect(try await harness.call(Staff.getMember, get, token: admin).hasLockedUntil == false)
        _ = try await harness.signIn("zhou.desk", "fresh-password")
        // The failures before the reset count no more: one more wrong password locks nothing.
        _ = await rpcResult { try await harness.signIn("zhou.desk", "wrong-password") }
        _ = try await harness.signIn("zhou.desk", "fresh-password")
    }

    @Test func sixteenWrongPasswordsAtOnceCountAsSixteen() async throws {
        let harness = try await StaffHarness.start(workers: 8)
        defer { harness.stop() }
        let admin = try await harness.adminToken()
        let member = try await harness.addMember("wu.desk", password: "right-password", adminToken: admin)

        let codes = await withTaskGroup(of: StatusCode.self) { group in
            for _ in 0..<16 {
                group.addTask { await rpcResult { try await harness.signIn("wu.desk", "wrong-password") }.code }
            }
            return await group.reduce(into: [StatusCode]()) { $0.append($1) }
        }
        #expect(codes == Array(repeating: .unauthenticated, count: 16))
        // Checked and recorded one at a time: five wrong passwords lock the account, the eleven after are refused
        // unchecked. Without the row lock, more than five would have been checked against the old count.
        let recorded = try await failures(of: "wu.desk", harness: harness, token: admin)
        #expect(recorded.count == 16)
        #expect(recorded.filter { $0 == "wrong_password" }.count == 5)
        #expect(recorded.filter { $0 == "locked" }.count == 11)

        #expect(await rpcResult { try await harness.signIn("wu.desk", "right-password") }.code == .unauthenticated)
        var reset = Clinic_Staff_V1_SetPasswordRequest()
        reset.memberID = member.id
        reset.newPassword = "right-password-2"
        _ = try await harness.call(Staff.setPassword, reset, token: admin)
        _ = try await harness.signIn("wu.desk", "right-password-2")
    }

    @Test func aLockedAccountCannotChangeItsPassword() async throws {
        let harness = try await StaffHarness.start(configuration: StaffConfiguration(
            bcryptCost: 4, lockOut: LockOutRule(threshold: 2, window: .seconds(60), duration: .seconds(60))))
        defer { harness.stop() }
        let admin = try await harness.adminToken()
        _ = try await harness.addMember("zheng.desk", password: "right-password", adminToken: admin)
        let token = try await harness.signIn("zheng.desk", "right-password").token
        for _ in 0..<2 { _ = await rpcResult { try await harness.signIn("zheng.desk", "wrong-password") } }
        var change = Clinic_Staff_V1_ChangePasswordRequest()
        change.currentPassword = "right-password"
        change.newPassword = "another-password"
        let refused = await rpcResult { try await harness.call(Staff.changePassword, change, token: token) }
        #expect(refused.code == .failedPrecondition)
        #expect(!refused.message.contains("right-password"))
    }
}

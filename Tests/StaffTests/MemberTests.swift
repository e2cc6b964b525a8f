import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import Testing
@testable import Staff

/// Members of staff over a real broker and a real PostgreSQL schema, with real tokens.
@Suite("Staff members")
struct MemberTests {
    typealias Staff = Clinic_Staff_V1_Staff

    @Test func everyContractMethodHasAHandler() async throws {
        let harness = try await StaffHarness.start()
        defer { harness.stop() }
        let methods = try await harness.inDatabase { db in
            try StaffService.definition().routes(db: db, environment: ServiceEnvironment(timeZone: .gmt, logger: TestDatabase.logger))
                .registeredMethods
        }
        #expect(methods == StaffService.contractMethods)
    }

    @Test func createGetListUpdateDeactivateWithTheirEvents() async throws {
        let harness = try await StaffHarness.start()
        defer { harness.stop() }
        let admin = try await harness.signIn(StaffHarness.adminAccount, StaffHarness.adminPassword)
        let doctorID = UUID().uuidString.lowercased()

        var create = Clinic_Staff_V1_CreateMemberRequest()
        create.account = "wang.doctor"
        create.name = "王医生"
        create.roles = [.doctor, .doctor, .nurse]
        create.team = "口腔外科"
        create.doctorID = doctorID
        let created = try await harness.call(Staff.createMember, create, token: admin.token)
        #expect(created.account == "wang.doctor")
        #expect(created.roles == [.nurse, .doctor])
        #expect(created.doctorID == doctorID)
        #expect(created.active && !created.hasLeftAt && created.version == 1)
        #expect(!created.hasPassword_p)

        var get = Clinic_Staff_V1_GetMemberRequest()
        get.memberID = created.id
        #expect(try await harness.call(Staff.getMember, get, token: admin.token) == created)

        // Only the fields given change; roles are replaced.
        var update = Clinic_Staff_V1_UpdateMemberRequest()
        update.memberID = created.id
        update.roles = [.doctor, .supervisor]
        update.branch = "东区"
        let updated = try await harness.call(Staff.updateMember, update, token: admin.token)
        #expect(updated.roles == [.doctor, .supervisor])
        #expect(updated.branch == "东区")
        #expect(updated.name == "王医生" && updated.team == "口腔外科" && updated.doctorID == doctorID)
        #expect(updated.version == 2)

        var deactivate = Clinic_Staff_V1_DeactivateMemberRequest()
        deactivate.memberID = created.id
        deactivate.reason = "left the clinic"
        let left = try await harness.call(Staff.deactivateMember, deactivate, token: admin.token)
        #expect(!left.active && left.hasLeftAt && left.version == 3)
        // Nothing is done twice.
        let again = await rpcResult { try await harness.call(Staff.deactivateMember, deactivate, token: admin.token) }
        #expect(again.code == .failedPrecondition)

        // Listing: active members only, unless asked; paged by account.
        var list = Clinic_Staff_V1_ListMembersRequest()
        #expect(try await harness.call(Staff.listMembers, list, token: admin.token).members.map(\.account) == ["admin"])
        list.includeInactive = true
        list.page.pageSize = 1
        let first = try await harness.call(Staff.listMembers, list, token: admin.token)
        #expect(first.members.map(\.account) == ["admin"] && !first.nextPageToken.isEmpty)
        list.page.pageToken = first.nextPageToken
        let second = try await harness.call(Staff.listMembers, list, token: admin.token)
        #expect(second.members.map(\.account) == ["wang.doctor"] && second.nextPageToken.isEmpty)

        // Every change went out through the outbox, and the record says who made it.
        let types = try await harness.outboxTypes()
        #expect(types == [Clinic_Staff_V1_StaffChanged.protoMessageName,  // the bootstrapped admin
                          Clinic_Staff_V1_StaffChanged.protoMessageName, Clinic_Staff_V1_StaffChanged.protoMessageName,
                          Clinic_Staff_V1_StaffChanged.protoMessageName, Clinic_Staff_V1_StaffDeactivated.protoMessageName])
        let memberID = UUID(uuidString: created.id)!
        let recorded = try await harness.inDatabase { db in
            try db.query("SELECT created_by, updated_by, left_reason FROM members WHERE id = \(memberID)").map {
                [try $0.decode("created_by", as: String.self), try $0.decode("updated_by", as: String.self),
                 try $0.decode("left_reason", as: String.self)]
            }
        }
        #expect(recorded == [[admin.member.id, admin.member.id, "left the clinic"]])
        let deactivated = try await harness.inDatabase { db in
            try db.query("SELECT payload FROM outbox WHERE type = \(Clinic_Staff_V1_StaffDeactivated.protoMessageName)")
                .map { try Clinic_Staff_V1_StaffDeactivated(serializedBytes: try $0.decode("payload", as: [UInt8].self)) }
        }
        #expect(deactivated.map(\.memberID) == [created.id])
        #expect(deactivated.first?.reason == "left the clinic")
    }

    @Test func aTakenAccountIsRefusedNamingTheField() async throws {
        let harness = try await StaffHarness.start()
        defer { harness.stop() }
        let token = try await harness.adminToken()
        _ = try await harness.addMember("li.desk", adminToken: token)
        let duplicate = await rpcResult { try await harness.addMember("li.desk", name: "另一个李", adminToken: token) }
        #expect(duplicate.code == .alreadyExists)
        #expect(duplicate.error?.violations.map(\.field) == ["account"])
        // The contract refuses an upper-case account before any handler runs.
        let upper = await rpcResult { try await harness.addMember("Li.Desk", adminToken: token) }
        #expect(upper.code == .invalidArgument)
        #expect(upper.error?.violations.map(\.field) == ["account"])
    }

    @Test func rolesAreEnforcedFromTheToken() async throws {
        let harness = try await StaffHarness.start()
        defer { harness.stop() }
        let admin = try await harness.adminToken()
        _ = try await harness.addMember("li.desk", roles: [.desk], password: "desk-password-1", adminToken: admin)
        let desk = try await harness.signIn("li.desk", "desk-password-1").token

        var create = Clinic_Staff_V1_CreateMemberRequest()
        create.account = "sneaky"
        create.name = "越权"
        create.roles = [.admin]
        let denied = await rpcResult { try await harness.call(Staff.createMember, create, token: desk) }
        #expect(denied.code == .permissionDenied)
        #expect(denied.message.contains("admin") && denied.message.contains("director"))

        let anonymous = await rpcResult { try await harness.call(Staff.createMember, create) }
        #expect(anonymous.code == .unauthenticated)
        let forged = await rpcResult { try await harness.call(Staff.createMember, create, token: desk + "x") }
        #expect(forged.code == .unauthenticated)

        // A desk member can still see themself and sign out.
        let me = try await harness.call(Staff.getMe, Clinic_Staff_V1_GetMeRequest(), token: desk)
        #expect(me.account == "li.desk" && me.roles == [.desk])
        #expect(await rpcResult { try await harness.call(Staff.getMe, Clinic_Staff_V1_GetMeRequest()) }.code == .unauthenticated)
    }

    @Test func anAdminCannotDeactivateThemself() async throws {
        let harness = try await StaffHarness.start()
        defer { harness.stop() }
        let admin = try await harness.signIn(StaffHarness.adminAccount, StaffHarness.adminPassword)
        var deactivate = Clinic_Staff_V1_DeactivateMemberRequest()
        deactivate.memberID = admin.member.id
        let refused = await rpcResult { try await harness.call(Staff.deactivateMember, deactivate, token: admin.token) }
        #expect(refused.code == .failedPrecondition)
    }

    @Test func bootstrappingTheAdminAgainChangesNothing() async throws {
        let harness = try await StaffHarness.start()
        defer { harness.stop() }
        let before = try await harness.outboxTypes()
        let url = harness.databaseURL
        let outcome = try await onThread {
            try AdminBootstrap.run(account: StaffHarness.adminAccount, name: "别人", password: "another-password",
                                   databaseURL: url, configuration: StaffHarness.testConfiguration, logger: TestDatabase.logger)
        }
        guard case .alreadyExists = outcome else {
            Issue.record("expected the existing admin to be left alone, got \(outcome)")
            return
        }
        #expect(try await harness.outboxTypes() == before)
        // The first password still works; the second was never set.
        let admin = try await harness.signIn(StaffHarness.adminAccount, StaffHarness.adminPassword)
        #expect(admin.member.name == "管理员" && admin.member.roles == [.admin])
        #expect(await rpcResult { try await harness.signIn(StaffHarness.adminAccount, "another-password") }.code == .unauthenticated)
    }
}

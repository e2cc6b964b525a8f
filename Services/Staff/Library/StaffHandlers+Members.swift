import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import Foundation

/// Members of staff: adding, reading, listing, changing, deactivating, and an admin's password reset.
extension StaffHandlers {
    /// Adds a member (with a first password when given) and publishes StaffChanged; ALREADY_EXISTS naming `account`
    /// when the account is taken.
    func createMember(_ context: RequestContext, _ request: Clinic_Staff_V1_CreateMemberRequest) throws -> Clinic_Staff_V1_StaffMember {
        // The contract has checked the account's shape (lower-case), the lengths and the roles.
        let member = NewMember(account: request.account, name: request.name.trimmingWhitespace(), roles: Self.distinct(request.roles),
                               team: request.team.trimmingWhitespace(), branch: request.branch.trimmingWhitespace(),
                               doctorID: try CheckedID.parseOptional(request.doctorID, field: "doctorId"))
        let hash: String?
        if request.password.isEmpty {
            hash = nil
        } else {
            try checkPolicy(request.password, account: member.account, field: "password")
            hash = hasher.hash(request.password)
        }
        let created = try IdempotentWrite.perform(context, on: db) { db in
            guard let created = try MemberStore.insert(member, id: UUID.random(), passwordHash: hash, createdBy: context.actor,
                                                       event: { try StaffEvents.staffChanged($0) }, on: db) else {
                throw StaffError.accountTaken(member.account)
            }
            return StaffMessages.member(created)
        }
        logger.info("staff member created", metadata: ["member_id": "\(created.id)", "by": "\(context.actor)",
                                                       "request_id": "\(context.requestID)"])
        return created
    }

    /// One member, NOT_FOUND when there is none with the id.
    func getMember(_ context: RequestContext, _ request: Clinic_Staff_V1_GetMemberRequest) throws -> Clinic_Staff_V1_StaffMember {
        let id = try CheckedID.parse(request.memberID, field: "memberId")
        guard let member = try MemberStore.find(id, on: db) else { throw StaffError.memberNotFound(id) }
        return StaffMessages.member(member)
    }

    /// Members by account name, a page at a time; those who left only when asked.
    func listMembers(_ context: RequestContext, _ request: Clinic_Staff_V1_ListMembersRequest) throws -> Clinic_Staff_V1_ListMembersResponse {
        let page = try Page(request.page)
        // One row more than the page tells whether there is a next page.
        let found = try MemberStore.list(includeInactive: request.includeInactive, limit: page.size + 1, offset: page.offset, on: db)
        var response = Clinic_Staff_V1_ListMembersResponse()
        let now = Date()
        response.members = found.prefix(page.size).map { StaffMessages.member($0, now: now) }
        if found.count > page.size { response.nextPageToken = page.next.token }
        return response
    }

    /// Changes the fields given (roles replace the old ones), bumps the version and publishes StaffChanged; an update
    /// that changes nothing publishes nothing.
    func updateMember(_ context: RequestContext, _ request: Clinic_Staff_V1_UpdateMemberRequest) throws -> Clinic_Staff_V1_StaffMember {
        let id = try CheckedID.parse(request.memberID, field: "memberId")
        // An empty field is "not given"; the contract requires at least one.
        func given(_ text: String) -> String? {
            let trimmed = text.trimmingWhitespace()
            return trimmed.isEmpty ? nil : trimmed
        }
        let changes = MemberChanges(
            name: given(request.name), roles: request.roles.isEmpty ? nil : Self.distinct(request.roles),
            team: given(request.team), branch: given(request.branch),
            doctorID: try CheckedID.parseOptional(request.doctorID, field: "doctorId"))
        return try db.transaction { db in
            guard let current = try MemberStore.find(id, forUpdate: true, on: db) else { throw StaffError.memberNotFound(id) }
            guard !changes.isNoChange(to: current) else { return StaffMessages.member(current) }
            let updated = try MemberStore.update(id, with: changes, by: context.actor, on: db)
            try StaffEvents.appendStaffChanged(updated, on: db)
            logger.info("staff member updated", metadata: ["member_id": "\(id.lowercasedText)", "by": "\(context.actor)",
                                                           "request_id": "\(context.requestID)"])
            return StaffMessages.member(updated)
        }
    }

    /// Marks a member as left and publishes StaffChanged and StaffDeactivated; FAILED_PRECONDITION when they left
    /// already, or for one's own account.
    func deactivateMember(_ context: RequestContext, _ request: Clinic_Staff_V1_DeactivateMemberRequest) throws -> Clinic_Staff_V1_StaffMember {
        let id = try CheckedID.parse(request.memberID, field: "memberId")
        // Deactivating oneself would leave nobody able to undo it; another admin or the director must.
        if context.caller.staffID == id.lowercasedText { throw StaffError.cannotDeactivateSelf }
        let reason = request.reason.trimmingWhitespace()
        return try db.transaction { db in
            guard let current = try MemberStore.find(id, forUpdate: true, on: db) else { throw StaffError.memberNotFound(id) }
            guard current.active else { throw StaffError.alreadyLeft(id) }
            let now = Date()
            let left = try MemberStore.deactivate(id, at: now, reason: reason, by: context.actor, on: db)
            try StaffEvents.appendStaffChanged(left, on: db)
            try StaffEvents.appendStaffDeactivated(id, at: now, reason: reason, on: db)
            logger.info("staff member deactivated", metadata: ["member_id": "\(id.lowercasedText)", "by": "\(context.actor)",
                                                               "request_id": "\(context.requestID)"])
            return StaffMessages.member(left)
        }
    }

    /// An admin sets or resets a member's password: the lock-out and the failures so far are cleared; publishes
    /// StaffChanged.
    func setPassword(_ context: RequestContext, _ request: Clinic_Staff_V1_SetPasswordRequest) throws -> Clinic_Staff_V1_SetPasswordResponse {
        let id = try CheckedID.parse(request.memberID, field: "memberId")
        guard let member = try MemberStore.find(id, on: db) else { throw StaffError.memberNotFound(id) }
        try checkPolicy(request.newPassword, account: member.account, field: "newPassword")
        // Hashed before the transaction: the row is not held locked while bcrypt works.
        let hash = hasher.hash(request.newPassword)
        try db.transaction { db in
            guard try MemberStore.find(id, forUpdate: true, on: db) != nil else { throw StaffError.memberNotFound(id) }
            let updated = try MemberStore.setPassword(id, hash: hash, by: context.actor, on: db)
            try StaffEvents.appendStaffChanged(updated, on: db)
        }
        logger.info("staff password reset", metadata: ["member_id": "\(id.lowercasedText)", "by": "\(context.actor)",
                                                       "request_id": "\(context.requestID)"])
        return Clinic_Staff_V1_SetPasswordResponse()
    }

    /// The roles once each, in contract order.
    static func distinct(_ roles: [StaffRole]) -> [StaffRole] {
        let given = Set(roles)
        return StaffRole.all.filter(given.contains)
    }
}

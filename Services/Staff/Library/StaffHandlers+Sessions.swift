import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import Foundation
import SwiftProtobuf

/// Signing in and out, the signed-in member's own record and password, and the sign-in audit.
extension StaffHandlers {
    /// How a sign-in attempt ended, decided and recorded in one transaction.
    private enum SignInOutcome {
        case signedIn(MemberRecord, TokenIssuer.Issued)
        /// Refused before the password was checked: a decoy check follows, so every refusal takes as long.
        case refusedUnchecked(SignInFailure)
        case refusedChecked(SignInFailure)
    }

    /// Checks account and password and returns a signed token. Every refusal (unknown account, wrong password, member
    /// who left, no password, locked) is the same UNAUTHENTICATED to the caller; the audit records which it was.
    func signIn(_ context: RequestContext, _ request: Clinic_Staff_V1_SignInRequest) throws -> Clinic_Staff_V1_SignInResponse {
        // Accounts are lower-case; people type them as they like.
        let account = request.account.trimmingWhitespace().lowercased()
        let password = request.password
        let outcome = try db.transaction { db -> SignInOutcome in
            // The member row stays locked until the outcome is recorded, so concurrent attempts on one account are
            // checked and counted one after the other: sixteen wrong passwords at once count as sixteen.
            let found = try MemberStore.lockForSignIn(account: account, on: db)
            let now = Date()
            var attempt = SignInAttemptRecord(account: account, memberID: found?.0.id, at: now,
                                              clientAddress: context.header.clientAddress, peer: context.header.peer, failure: nil)
            func refuse(_ failure: SignInFailure, checked: Bool) throws -> SignInOutcome {
                attempt.failure = failure
                try SignInAudit.record(attempt, on: db)
                return checked ? .refusedChecked(failure) : .refusedUnchecked(failure)
            }
            guard let found else { return try refuse(.unknownAccount, checked: false) }
            let (member, credential) = found
            guard member.active else { return try refuse(.inactive, checked: false) }
            guard !configuration.lockOut.isLocked(until: member.lockedUntil, at: now) else { return try refuse(.locked, checked: false) }
            guard let hash = credential.hash else { return try refuse(.noPassword, checked: false) }
            guard hasher.matches(password, hash: hash) else {
                let outcome = try refuse(.wrongPassword, checked: true)
                try lockIfDue(member.id, credential: credential, at: now, on: db)
                return outcome
            }
            try SignInAudit.record(attempt, on: db)
            try MemberStore.clearFailures(member.id, at: now, on: db)
            let issued = try issuer.issue(for: member, with: try SigningKeyStore.current(on: db), now: now)
            return .signedIn(member, issued)
        }
        switch outcome {
        case .signedIn(let member, let issued):
            logger.info("staff signed in", metadata: ["member_id": "\(member.id.lowercasedText)", "request_id": "\(context.requestID)"])
            var response = Clinic_Staff_V1_SignInResponse()
            response.token = issued.token
            response.expiresAt = Google_Protobuf_Timestamp(date: issued.claims.exp.value)
            response.member = StaffMessages.member(member)
            return response
        case .refusedUnchecked(let failure):
            hasher.spendCheckTime(password)
            logger.notice("staff sign-in refused", metadata: ["failure": "\(failure.rawValue)", "request_id": "\(context.requestID)"])
            throw StaffError.signInRefused
        case .refusedChecked(let failure):
            logger.notice("staff sign-in refused", metadata: ["failure": "\(failure.rawValue)", "request_id": "\(context.requestID)"])
            throw StaffError.signInRefused
        }
    }

    /// Locks the account when the failures that count, the one just recorded included, reach the threshold.
    private func lockIfDue(_ memberID: UUID, credential: PasswordCredential, at now: Date, on db: Connection) throws {
        let rule = configuration.lockOut
        let since = max(credential.failuresClearedAt, now.addingTimeInterval(-rule.window.seconds))
        let failures = try SignInAudit.countedFailures(of: memberID, since: since, on: db)
        guard let until = rule.lockedUntil(afterFailureAt: now, failures: failures) else { return }
        try MemberStore.lock(memberID, until: until, at: now, on: db)
        logger.notice("staff account locked", metadata: ["member_id": "\(memberID.lowercasedText)", "until": "\(until)"])
    }

    /// Revokes the caller's token until its expiry and publishes SessionRevoked (once: signing out twice changes
    /// nothing).
    func signOut(_ context: RequestContext, _ request: Clinic_Staff_V1_SignOutRequest) throws -> Clinic_Staff_V1_SignOutResponse {
        let memberID = try callerID(context)
        // The gate verified the token; its expiry is read back from it, since the caller holds nothing else.
        let claims = try SignedInToken.claims(of: context.header.token)
        try db.transaction { db in
            guard try MemberStore.find(memberID, on: db) != nil else { throw StaffError.callerNotOnFile }
            let expiresAt = claims.exp.value
            if try RevocationStore.revoke(tokenID: context.caller.tokenID, memberID: memberID, expiresAt: expiresAt, on: db) {
                try StaffEvents.appendSessionRevoked(tokenID: context.caller.tokenID, memberID: memberID, expiresAt: expiresAt, on: db)
            }
        }
        logger.info("staff signed out", metadata: ["member_id": "\(memberID.lowercasedText)", "request_id": "\(context.requestID)"])
        return Clinic_Staff_V1_SignOutResponse()
    }

    /// The signed-in member's own record.
    func getMe(_ context: RequestContext, _ request: Clinic_Staff_V1_GetMeRequest) throws -> Clinic_Staff_V1_StaffMember {
        let id = try callerID(context)
        guard let member = try MemberStore.find(id, on: db) else { throw StaffError.callerNotOnFile }
        return StaffMessages.member(member)
    }

    /// A wrong current password counts towards a lock-out like a failed sign-in (and is audited as
    /// `wrong_current_password`), so that a token left on an unattended screen cannot be used to guess the password.
    func changePassword(_ context: RequestContext, _ request: Clinic_Staff_V1_ChangePasswordRequest) throws -> Clinic_Staff_V1_ChangePasswordResponse {
        let id = try callerID(context)
        guard let member = try MemberStore.find(id, on: db) else { throw StaffError.callerNotOnFile }
        try checkPolicy(request.newPassword, account: member.account, field: "newPassword")
        let newHash = hasher.hash(request.newPassword)
        let refusal = try db.transaction { db -> StaffError? in
            guard let found = try MemberStore.lockForPasswordCheck(id, on: db) else { return .callerNotOnFile }
            let (member, credential) = found
            let now = Date()
            if configuration.lockOut.isLocked(until: member.lockedUntil, at: now), let until = member.lockedUntil {
                return .accountLocked(until: until)
            }
            guard let hash = credential.hash, hasher.matches(request.currentPassword, hash: hash) else {
                try SignInAudit.record(SignInAttemptRecord(account: member.account, memberID: id, at: now,
                                                           clientAddress: context.header.clientAddress, peer: context.header.peer,
                                                           failure: .wrongCurrentPassword), on: db)
                try lockIfDue(id, credential: credential, at: now, on: db)
                return .wrongCurrentPassword
            }
            let updated = try MemberStore.setPassword(id, hash: newHash, by: context.actor, on: db)
            try StaffEvents.appendStaffChanged(updated, on: db)
            return nil
        }
        // Thrown after the commit, so that the failure it records stays recorded.
        if let refusal { throw refusal }
        logger.info("staff password changed", metadata: ["member_id": "\(id.lowercasedText)", "request_id": "\(context.requestID)"])
        return Clinic_Staff_V1_ChangePasswordResponse()
    }

    /// The sign-in audit newest first, on one account or all.
    func listSignIns(_ context: RequestContext, _ request: Clinic_Staff_V1_ListSignInsRequest) throws -> Clinic_Staff_V1_ListSignInsResponse {
        let page = try Page(request.page)
        let account = request.account.trimmingWhitespace().lowercased()
        let found = try SignInAudit.list(account: account.isEmpty ? nil : account, limit: page.size + 1, offset: page.offset, on: db)
        var response = Clinic_Staff_V1_ListSignInsResponse()
        response.attempts = found.prefix(page.size).map(StaffMessages.attempt)
        if found.count > page.size { response.nextPageToken = page.next.token }
        return response
    }
}

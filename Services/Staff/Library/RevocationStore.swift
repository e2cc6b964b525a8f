import ClinicProto
import ClinicService
import ClinicStore
import Foundation
import SwiftProtobuf

/// Staff's SQL for signed-out tokens, and the revocation state verifiers start from.
enum RevocationStore {
    /// Records that a token was signed out; false when it was already (a repeated sign-out changes nothing).
    static func revoke(tokenID: String, memberID: UUID, expiresAt: Date, on db: Connection) throws -> Bool {
        try db.execute("""
            INSERT INTO revoked_tokens (token_id, member_id, expires_at) VALUES (\(tokenID), \(memberID), \(expiresAt))
            ON CONFLICT (token_id) DO NOTHING
            """) == 1
    }

    /// Signed-out tokens not yet expired.
    static func unexpired(on db: Connection) throws -> [(tokenID: String, expiresAt: Date)] {
        try db.query("SELECT token_id, expires_at FROM revoked_tokens WHERE expires_at > now() ORDER BY expires_at").map { row in
            (try row.decode("token_id"), try row.decode("expires_at"))
        }
    }

    /// Forgets signed-out tokens that have expired anyway (verifiers refuse them for their expiry).
    @discardableResult
    static func pruneExpired(on db: Connection) throws -> Int {
        try db.execute("DELETE FROM revoked_tokens WHERE expires_at <= now()")
    }

    /// What verifiers must refuse and the published event sequence it is as of, read from one snapshot so that
    /// every event after `asOfSeq` is news and none before it is missing.
    static func snapshot(on db: Connection) throws -> Clinic_Staff_V1_Revocations {
        try db.transaction(isolation: .repeatableRead) { db in
            var revocations = Clinic_Staff_V1_Revocations()
            revocations.tokens = try unexpired(on: db).map { token in
                var revoked = Clinic_Staff_V1_RevokedToken()
                revoked.tokenID = token.tokenID
                revoked.expiresAt = .init(date: token.expiresAt)
                return revoked
            }
            revocations.members = try MemberStore.departed(on: db).map { member in
                var departed = Clinic_Staff_V1_DeactivatedMember()
                departed.memberID = member.id.lowercasedText
                departed.at = .init(date: member.at)
                return departed
            }
            revocations.asOfSeq = try Outbox.latestSeq(on: db)
            return revocations
        }
    }
}

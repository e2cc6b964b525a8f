import ClinicService
import ClinicStore
import Foundation

/// One attempt as the audit records it: never the password.
struct SignInAttemptRecord: Sendable, Equatable {
    var account: String
    var memberID: UUID?
    var at: Date
    var clientAddress: String
    var peer: String
    /// nil when the attempt succeeded.
    var failure: SignInFailure?
}

/// Staff's SQL for the sign-in audit: every attempt, who, when, from where, and why it failed.
enum SignInAudit {
    /// Records an attempt (inside the transaction that decides it, so its outcome and its record go together).
    static func record(_ attempt: SignInAttemptRecord, on db: Connection) throws {
        try db.execute("""
            INSERT INTO sign_in_attempts (account, member_id, attempted_at, client_address, peer, succeeded, failure)
            VALUES (\(attempt.account), \(attempt.memberID), \(attempt.at), \(attempt.clientAddress), \(attempt.peer),
                    \(attempt.failure == nil), \(attempt.failure?.rawValue ?? ""))
            """)
    }

    /// When the member's failures that count towards a lock-out happened after `since`, oldest first.
    static func countedFailures(of memberID: UUID, since: Date, on db: Connection) throws -> [Date] {
        try db.query("""
            SELECT attempted_at FROM sign_in_attempts
            WHERE member_id = \(memberID) AND attempted_at > \(since)
              AND failure = ANY(\(SignInFailure.allCases.filter(\.countsTowardsLockOut).map(\.rawValue)))
            ORDER BY attempted_at
            """).map { try $0.decode("attempted_at") }
    }

    /// Attempts newest first, on one account or all.
    static func list(account: String?, limit: Int, offset: Int, on db: Connection) throws -> [SignInAttemptRecord] {
        let columns = "account, member_id, attempted_at, client_address, peer, failure"
        let rows = if let account {
            try db.query("""
                SELECT \(raw: columns) FROM sign_in_attempts WHERE account = \(account)
                ORDER BY id DESC LIMIT \(limit) OFFSET \(offset)
                """)
        } else {
            try db.query("SELECT \(raw: columns) FROM sign_in_attempts ORDER BY id DESC LIMIT \(limit) OFFSET \(offset)")
        }
        return try rows.map { row in
            let failure: String = try row.decode("failure")
            guard failure.isEmpty || SignInFailure(rawValue: failure) != nil else {
                throw StoreError(kind: .decoding, message: "sign_in_attempts.failure holds an unknown reason")
            }
            return SignInAttemptRecord(
                account: try row.decode("account"), memberID: try row.decode("member_id"),
                at: try row.decode("attempted_at"), clientAddress: try row.decode("client_address"),
                peer: try row.decode("peer"), failure: SignInFailure(rawValue: failure))
        }
    }
}

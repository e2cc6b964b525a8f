import ClinicService
import ClinicStore
import Foundation

/// Staff's SQL for members: every query against the members table, readable as SQL. Each function takes the
/// connection (often inside the caller's transaction).
enum MemberStore {
    static let columns = """
        id, account, name, roles, team, branch, doctor_id, active, left_at, password_hash IS NOT NULL AS has_password,
        locked_until, created_at, updated_at, version
        """

    /// Inserts a new member, with a password hash when given, and its `StaffChanged` event in the same statement;
    /// nil when the account is taken (the unique index decides, so two admins adding one account cannot both win).
    static func insert(_ member: NewMember, id: UUID, passwordHash: String?, createdBy: String,
                       event: (MemberRecord) throws -> OutboxEntry, on db: Connection) throws -> MemberRecord? {
        try db.transaction { db in
            let rows = try db.query("""
                INSERT INTO members (id, account, name, roles, team, branch, doctor_id, password_hash, password_set_at,
                                     created_by, updated_by)
                VALUES (\(id), \(member.account), \(member.name), \(member.roles.map(\.name)), \(member.team), \(member.branch),
                        \(member.doctorID), \(passwordHash), CASE WHEN \(passwordHash)::text IS NULL THEN NULL ELSE now() END,
                        \(createdBy), \(createdBy))
                ON CONFLICT (account) DO NOTHING
                RETURNING \(raw: columns)
                """)
            guard let row = rows.first else { return nil }
            let created = try record(from: row)
            try Outbox.append(try event(created), on: db)
            return created
        }
    }

    /// The member with `id`, optionally locked for update.
    static func find(_ id: UUID, forUpdate: Bool = false, on db: Connection) throws -> MemberRecord? {
        let lock = forUpdate ? "FOR UPDATE" : ""
        return try db.query("SELECT \(raw: columns) FROM members WHERE id = \(id) \(raw: lock)").first.map(record(from:))
    }

    /// The member signing in as `account` with their password hash, the row locked until the transaction ends so
    /// that concurrent attempts on one account check and record their outcome one after the other.
    static func lockForSignIn(account: String, on db: Connection) throws -> (MemberRecord, PasswordCredential)? {
        let rows = try db.query("""
            SELECT \(raw: columns), password_hash, failures_cleared_at FROM members WHERE account = \(account) FOR UPDATE
            """)
        return try rows.first.map { row in (try record(from: row), try credential(from: row)) }
    }

    /// The member with `id` and their password hash, locked as `lockForSignIn` locks it.
    static func lockForPasswordCheck(_ id: UUID, on db: Connection) throws -> (MemberRecord, PasswordCredential)? {
        let rows = try db.query("""
            SELECT \(raw: columns), password_hash, failures_cleared_at FROM members WHERE id = \(id) FOR UPDATE
            """)
        return try rows.first.map { row in (try record(from: row), try credential(from: row)) }
    }

    /// Members by account name, active ones only unless `includeInactive`.
    static func list(includeInactive: Bool, limit: Int, offset: Int, on db: Connection) throws -> [MemberRecord] {
        try db.query("""
            SELECT \(raw: columns) FROM members WHERE active OR \(includeInactive)
            ORDER BY account LIMIT \(limit) OFFSET \(offset)
            """).map(record(from:))
    }

    /// Applies the given fields (nil keeps a field), bumps the version and records who changed it.
    static func update(_ id: UUID, with changes: MemberChanges, by actor: String, on db: Connection) throws -> MemberRecord {
        let rows = try db.query("""
            UPDATE members SET
                name = COALESCE(\(changes.name), name),
                roles = COALESCE(\(changes.roles?.map(\.name)), roles),
                team = COALESCE(\(changes.team), team),
                branch = COALESCE(\(changes.branch), branch),
                doctor_id = COALESCE(\(changes.doctorID), doctor_id),
                updated_by = \(actor), updated_at = now(), version = version + 1
            WHERE id = \(id)
            RETURNING \(raw: columns)
            """)
        return try returned(rows)
    }

    /// Marks the member as left at `at`, for `reason`.
    static func deactivate(_ id: UUID, at: Date, reason: String, by actor: String, on db: Connection) throws -> MemberRecord {
        let rows = try db.query("""
            UPDATE members SET active = false, left_at = \(at), left_reason = \(reason),
                updated_by = \(actor), updated_at = now(), version = version + 1
            WHERE id = \(id)
            RETURNING \(raw: columns)
            """)
        return try returned(rows)
    }

    /// Stores a new password hash; the failures so far stop counting and a lock-out is lifted.
    static func setPassword(_ id: UUID, hash: String, by actor: String, on db: Connection) throws -> MemberRecord {
        let rows = try db.query("""
            UPDATE members SET password_hash = \(hash), password_set_at = now(), locked_until = NULL,
                failures_cleared_at = now(), updated_by = \(actor), updated_at = now(), version = version + 1
            WHERE id = \(id)
            RETURNING \(raw: columns)
            """)
        return try returned(rows)
    }

    /// Locks the account until `until`; the failures that locked it stop counting.
    static func lock(_ id: UUID, until: Date, at now: Date, on db: Connection) throws {
        try db.execute("UPDATE members SET locked_until = \(until), failures_cleared_at = \(now) WHERE id = \(id)")
    }

    /// After a successful sign-in: the failures so far stop counting.
    static func clearFailures(_ id: UUID, at now: Date, on db: Connection) throws {
        try db.execute("UPDATE members SET failures_cleared_at = \(now), locked_until = NULL WHERE id = \(id)")
    }

    /// Members who have left, with when (what verifiers refuse).
    static func departed(on db: Connection) throws -> [(id: UUID, at: Date)] {
        try db.query("SELECT id, left_at FROM members WHERE NOT active ORDER BY left_at").map { row in
            (try row.decode("id"), try row.decode("left_at"))
        }
    }

    private static func returned(_ rows: [Row]) throws -> MemberRecord {
        guard let row = rows.first else { throw StoreError(kind: .query, message: "UPDATE … RETURNING gave no row") }
        return try record(from: row)
    }

    static func record(from row: Row) throws -> MemberRecord {
        MemberRecord(
            id: try row.decode("id"), account: try row.decode("account"), name: try row.decode("name"),
            roles: try row.decode("roles", as: [String].self).compactMap(StaffRole.init(name:)),
            team: try row.decode("team"), branch: try row.decode("branch"), doctorID: try row.decode("doctor_id"),
            active: try row.decode("active"), leftAt: try row.decode("left_at"), hasPassword: try row.decode("has_password"),
            lockedUntil: try row.decode("locked_until"), createdAt: try row.decode("created_at"),
            updatedAt: try row.decode("updated_at"), version: try row.decode("version"))
    }

    private static func credential(from row: Row) throws -> PasswordCredential {
        PasswordCredential(hash: try row.decode("password_hash"), failuresClearedAt: try row.decode("failures_cleared_at"))
    }
}

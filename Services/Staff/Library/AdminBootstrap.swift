import ClinicService
import ClinicStore
import Foundation
import Logging

/// The first admin of a new installation (`clinic-staff bootstrap-admin`): migrates, then adds an admin member
/// with a password unless the account exists already.
public enum AdminBootstrap {
    /// What the bootstrap did.
    public enum Outcome: Sendable, Equatable {
        /// The admin was added, with this id.
        case created(memberID: String)
        /// The account exists already; it was left as it is.
        case alreadyExists(memberID: String)
    }

    /// Why the bootstrap refused to run.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        /// The account is not lower-case letters, digits, '.', '_' or '-', 2 to 64 long.
        case badAccount
        /// The name is empty or longer than 50 characters.
        case badName
        /// The password breaks the policy.
        case weakPassword(PasswordPolicy.Weakness)

        /// What is wrong, without the password.
        public var description: String {
            switch self {
            case .badAccount: "--account must be 2 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"
            case .badName: "--name must be 1 to 50 characters"
            case .weakPassword(let weakness): "the password \(weakness.explanation)"
            }
        }
    }

    /// Who the record says added the admin.
    static let actor = "system:bootstrap-admin"

    /// Migrates the staff schema at `databaseURL`, then adds `account` as an admin named `name` with `password`,
    /// writing its `StaffChanged` event to the outbox; an existing account is left untouched. Blocking.
    public static func run(account: String, name: String, password: String, databaseURL: String,
                           configuration: StaffConfiguration, logger: Logger) throws -> Outcome {
        try check(account: account, name: name, password: password)
        try ServiceHost.migrate(try StaffService.definition(configuration: configuration), databaseURL: databaseURL, logger: logger)
        let db = try Connection(url: databaseURL, logger: logger)
        defer { db.close() }
        _ = try SigningKeyStore.current(on: db)
        if let existing = try existingMember(account: account, on: db) { return .alreadyExists(memberID: existing) }
        let hash = PasswordHasher(cost: configuration.bcryptCost).hash(password)
        let member = NewMember(account: account, name: name.trimmingWhitespace(), roles: [.admin], team: "", branch: "", doctorID: nil)
        guard let created = try MemberStore.insert(member, id: UUID.random(), passwordHash: hash, createdBy: actor,
                                                   event: { try StaffEvents.staffChanged($0) }, on: db) else {
            // Another bootstrap added it between the look-up and the insert.
            return .alreadyExists(memberID: try existingMember(account: account, on: db) ?? "")
        }
        logger.notice("first admin created", metadata: ["member_id": "\(created.id.lowercasedText)"])
        return .created(memberID: created.id.lowercasedText)
    }

    /// Checks what the contract would check for CreateMember, and the password policy.
    static func check(account: String, name: String, password: String) throws(Refusal) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-")
        guard (2...64).contains(account.count), account.allSatisfy(allowed.contains),
              let first = account.first, first.isLetter || first.isNumber else { throw .badAccount }
        let trimmed = name.trimmingWhitespace()
        guard (1...50).contains(trimmed.count), !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .badName
        }
        do { try PasswordPolicy.check(password, account: account) } catch { throw .weakPassword(error) }
    }

    private static func existingMember(account: String, on db: Connection) throws -> String? {
        try db.query("SELECT id FROM members WHERE account = \(account)").first.map { try $0.decode("id", as: UUID.self).lowercasedText }
    }
}

import ClinicService
import Foundation

/// A member of staff as the members table holds them (never with the password hash: see `PasswordCredential`).
struct MemberRecord: Sendable, Equatable {
    var id: UUID
    /// The sign-in name, lower-case.
    var account: String
    var name: String
    var roles: [StaffRole]
    var team: String
    var branch: String
    /// The member's doctor id in scheduling, for doctors.
    var doctorID: UUID?
    var active: Bool
    var leftAt: Date?
    var hasPassword: Bool
    /// Until when repeated failures lock the account (may lie in the past).
    var lockedUntil: Date?
    var createdAt: Date
    var updatedAt: Date
    var version: Int64
}

/// The fields of a new member, checked by the contract's field rules.
struct NewMember: Sendable {
    var account: String
    var name: String
    var roles: [StaffRole]
    var team: String
    var branch: String
    var doctorID: UUID?
}

/// The fields an update changes; nil leaves a field as it is.
struct MemberChanges: Sendable, Equatable {
    var name: String?
    var roles: [StaffRole]?
    var team: String?
    var branch: String?
    var doctorID: UUID?

    /// Whether the update changes nothing (the contract requires one field, but it may equal the stored value).
    func isNoChange(to member: MemberRecord) -> Bool {
        (name ?? member.name) == member.name && (roles ?? member.roles) == member.roles
            && (team ?? member.team) == member.team && (branch ?? member.branch) == member.branch
            && (doctorID ?? member.doctorID) == member.doctorID
    }
}

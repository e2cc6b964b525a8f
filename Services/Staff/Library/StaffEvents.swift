import ClinicProto
import ClinicService
import ClinicStore
import Foundation
import SwiftProtobuf

/// The events staff publishes, written to its outbox in the transaction that makes the change.
enum StaffEvents {
    /// `StaffChanged` for a member just created or changed.
    static func staffChanged(_ member: MemberRecord, now: Date = Date()) throws -> OutboxEntry {
        var event = Clinic_Staff_V1_StaffChanged()
        event.member = StaffMessages.member(member, now: now)
        return try StaffService.events.entry(event)
    }

    /// Records `StaffChanged` for a member just changed.
    static func appendStaffChanged(_ member: MemberRecord, on db: Connection) throws {
        try Outbox.append(try staffChanged(member), on: db)
    }

    /// Records `StaffDeactivated`: verifiers refuse the member's tokens from `at`.
    static func appendStaffDeactivated(_ memberID: UUID, at: Date, reason: String, on db: Connection) throws {
        var event = Clinic_Staff_V1_StaffDeactivated()
        event.memberID = memberID.lowercasedText
        event.at = Google_Protobuf_Timestamp(date: at)
        event.reason = reason
        try StaffService.events.append(event, on: db)
    }

    /// Records `SessionRevoked`: verifiers refuse the token from now on.
    static func appendSessionRevoked(tokenID: String, memberID: UUID, expiresAt: Date, on db: Connection) throws {
        var event = Clinic_Staff_V1_SessionRevoked()
        event.tokenID = tokenID
        event.memberID = memberID.lowercasedText
        event.expiresAt = Google_Protobuf_Timestamp(date: expiresAt)
        try StaffService.events.append(event, on: db)
    }
}

import ClinicProto
import ClinicService
import Foundation
import SwiftProtobuf

/// Staff's records as the contract's messages.
enum StaffMessages {
    /// A member as `StaffMember`; `lockedUntil` only while the lock holds at `now`.
    static func member(_ record: MemberRecord, now: Date = Date()) -> Clinic_Staff_V1_StaffMember {
        var member = Clinic_Staff_V1_StaffMember()
        member.id = record.id.lowercasedText
        member.account = record.account
        member.name = record.name
        member.roles = record.roles
        member.team = record.team
        member.branch = record.branch
        member.doctorID = record.doctorID?.lowercasedText ?? ""
        member.active = record.active
        if let leftAt = record.leftAt { member.leftAt = Google_Protobuf_Timestamp(date: leftAt) }
        member.createdAt = Google_Protobuf_Timestamp(date: record.createdAt)
        member.updatedAt = Google_Protobuf_Timestamp(date: record.updatedAt)
        member.version = record.version
        member.hasPassword_p = record.hasPassword
        if let until = record.lockedUntil, until > now { member.lockedUntil = Google_Protobuf_Timestamp(date: until) }
        return member
    }

    /// An audited attempt as `SignInAttempt`.
    static func attempt(_ record: SignInAttemptRecord) -> Clinic_Staff_V1_SignInAttempt {
        var attempt = Clinic_Staff_V1_SignInAttempt()
        attempt.account = record.account
        attempt.memberID = record.memberID?.lowercasedText ?? ""
        attempt.at = Google_Protobuf_Timestamp(date: record.at)
        attempt.clientAddress = record.clientAddress
        attempt.peer = record.peer
        attempt.succeeded = record.failure == nil
        attempt.failure = record.failure?.rawValue ?? ""
        return attempt
    }

    /// A key as `SigningKey`: its public half only.
    static func signingKey(_ record: SigningKeyRecord, tokenLifetime: Duration) -> Clinic_Staff_V1_SigningKey {
        var key = Clinic_Staff_V1_SigningKey()
        key.keyID = record.keyID
        key.publicKey = Data(record.publicKey)
        key.createdAt = Google_Protobuf_Timestamp(date: record.createdAt)
        if let until = record.verifyUntil(tokenLifetime: tokenLifetime) { key.verifyUntil = Google_Protobuf_Timestamp(date: until) }
        key.current = record.isCurrent
        return key
    }
}

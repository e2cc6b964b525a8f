import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation
import SwiftProtobuf

/// Filing and escalating complaints, the same way from the desk, from a call's result and from reception's events.
struct ComplaintDesk {
    let clock: ClinicClock
    let policy: FollowUpPolicy

    /// Files `complaint` (its deadline `complaintReplyDays` after filing) and publishes `ComplaintFiled`; nil when its
    /// source key filed it already.
    @discardableResult
    func file(_ complaint: ComplaintRecord, on db: Connection) throws -> ComplaintRecord? {
        guard try ComplaintStore.insert(complaint, on: db) else { return nil }
        var event = Clinic_Followup_V1_ComplaintFiled()
        event.complaintID = complaint.id.lowercasedText
        event.patientID = complaint.patientID?.lowercasedText ?? ""
        event.category = StoredNames.value(complaint.category, in: StoredNames.complaintCategories) ?? .other
        event.severity = StoredNames.value(complaint.severity, in: StoredNames.severities) ?? .medium
        event.replyDeadline = complaint.replyDeadline.description
        event.filedBy = complaint.filedBy
        try FollowUpEvents.append(event, on: db)
        return complaint
    }

    /// A new complaint record filed at `now`, its reply deadline set by the policy.
    func draft(patient: PatientContact, channel: String, category: String, description: String, severity: String,
               owner: UUID? = nil, taskID: UUID? = nil, visitID: UUID? = nil, sourceKey: String? = nil, by actor: String,
               at now: Date) -> ComplaintRecord {
        ComplaintRecord(id: UUID.random(), sourceKey: sourceKey, patientID: patient.id, patientName: patient.name, phone: patient.phone,
                        channel: channel, category: category, description: description, severity: severity, ownerID: owner,
                        replyDeadline: clock.date(of: now).adding(days: policy.complaintReplyDays), taskID: taskID,
                        visitID: visitID, filedBy: actor, filedAt: now)
    }

    /// Escalates a complaint to the director with the reason and publishes `ComplaintEscalated`; false when it was already.
    @discardableResult
    func escalate(_ complaint: ComplaintRecord, reason: String, at now: Date, on db: Connection) throws -> Bool {
        guard try ComplaintStore.escalate(complaint.id, reason: reason, at: now, on: db) else { return false }
        var event = Clinic_Followup_V1_ComplaintEscalated()
        event.complaintID = complaint.id.lowercasedText
        event.patientID = complaint.patientID?.lowercasedText ?? ""
        event.category = StoredNames.value(complaint.category, in: StoredNames.complaintCategories) ?? .other
        event.status = StoredNames.value(complaint.status, in: StoredNames.complaintStatuses) ?? .open
        event.replyDeadline = complaint.replyDeadline.description
        event.reason = reason
        event.escalatedAt = Google_Protobuf_Timestamp(date: now)
        try FollowUpEvents.append(event, on: db)
        return true
    }
}

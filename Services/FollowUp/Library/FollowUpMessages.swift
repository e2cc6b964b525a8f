import ClinicProto
import ClinicService
import ClinicValues
import Foundation
import SwiftProtobuf

/// Follow-up's records as the contract's messages. Phones are masked unless the caller says the reader may see them.
enum FollowUpMessages {
    /// A task; `fullPhone` gives its number unmasked.
    static func task(_ task: TaskRecord, today: ClinicDate, fullPhone: Bool = false) -> Clinic_Followup_V1_FollowUpTask {
        var message = Clinic_Followup_V1_FollowUpTask()
        message.id = task.id.lowercasedText
        message.kind = StoredNames.value(task.kind, in: StoredNames.taskKinds) ?? .unspecified
        message.status = StoredNames.value(task.status, in: StoredNames.taskStatuses) ?? .unspecified
        message.patientID = task.patientID?.lowercasedText ?? ""
        message.patientName = task.patientName
        message.phone = fullPhone ? task.phone : MobileNumber.mask(task.phone)
        message.purpose = task.purpose
        message.dueDate = task.dueDate.description
        if let dueAt = task.dueAt { message.dueAt = Google_Protobuf_Timestamp(date: dueAt) }
        message.dueBy = task.dueBy.description
        message.assigneeID = task.assigneeID?.lowercasedText ?? ""
        message.assigneeName = task.assigneeName
        message.team = StoredNames.value(task.team.rawValue, in: StoredNames.teams) ?? .unspecified
        message.unattended = task.unattended
        message.treatingDoctorID = task.treatingDoctorID?.lowercasedText ?? ""
        message.treatingDoctorName = task.treatingDoctorName
        message.visitID = task.visitID?.lowercasedText ?? ""
        message.appointmentID = task.appointmentID?.lowercasedText ?? ""
        message.treatmentKind = StoredNames.value(task.treatmentKind, in: StoredNames.treatmentKinds) ?? .unspecified
        message.teeth = task.teeth.map(Int32.init)
        message.ruleID = task.ruleID?.lowercasedText ?? ""
        message.attempts = Int32(task.attempts)
        message.rollovers = Int32(task.rollovers)
        message.overdue = task.isOverdue(on: today)
        message.closedReason = task.closedReason
        message.closedBy = task.closedBy
        if let closedAt = task.closedAt { message.closedAt = Google_Protobuf_Timestamp(date: closedAt) }
        message.createdBy = task.createdBy
        message.createdAt = Google_Protobuf_Timestamp(date: task.createdAt)
        message.history = task.history.map(attempt)
        return message
    }

    /// One attempt.
    static func attempt(_ attempt: AttemptRecord) -> Clinic_Followup_V1_FollowUpAttempt {
        var message = Clinic_Followup_V1_FollowUpAttempt()
        message.reached = attempt.reached
        message.channel = StoredNames.value(attempt.channel, in: StoredNames.channels) ?? .unspecified
        message.conditions = attempt.conditions.compactMap { StoredNames.value($0, in: StoredNames.conditions) }
        message.advice = attempt.advice
        message.satisfaction = StoredNames.value(attempt.satisfaction, in: StoredNames.satisfactions) ?? .unspecified
        message.suggestions = attempt.suggestions
        message.notes = attempt.notes
        message.complaintID = attempt.complaintID?.lowercasedText ?? ""
        message.doctorCallBackTaskID = attempt.doctorCallBackTaskID?.lowercasedText ?? ""
        message.discomfortTaskID = attempt.discomfortTaskID?.lowercasedText ?? ""
        message.appointmentID = attempt.appointmentID?.lowercasedText ?? ""
        message.bookingLater = attempt.bookingLater
        message.movedToRecall = attempt.movedToRecall
        message.recordedBy = attempt.recordedBy
        message.recordedAt = Google_Protobuf_Timestamp(date: attempt.recordedAt)
        return message
    }

    /// A rule.
    static func rule(_ rule: FollowUpRule) -> Clinic_Followup_V1_FollowUpRule {
        var message = Clinic_Followup_V1_FollowUpRule()
        message.id = rule.id.lowercasedText
        message.treatmentKind = StoredNames.value(rule.treatmentKind, in: StoredNames.treatmentKinds) ?? .unspecified
        message.everyone = rule.treatmentKind == nil
        message.offset = Int32(rule.offset)
        message.unit = StoredNames.value(rule.unit.rawValue, in: StoredNames.units) ?? .unspecified
        message.windowEnd = Int32(rule.windowEnd)
        message.caller = StoredNames.value(rule.caller.rawValue, in: StoredNames.callers) ?? .unspecified
        message.purpose = rule.purpose
        message.untilKind = StoredNames.value(rule.untilKind, in: StoredNames.treatmentKinds) ?? .unspecified
        message.endsSeries = rule.endsSeries
        message.active = rule.active
        message.updatedBy = rule.updatedBy
        message.updatedAt = Google_Protobuf_Timestamp(date: rule.updatedAt)
        return message
    }

    /// A planned call (a plan's preview).
    static func plannedCall(_ call: PlannedCall) -> Clinic_Followup_V1_PlannedCall {
        var message = Clinic_Followup_V1_PlannedCall()
        message.ruleID = call.ruleID.lowercasedText
        message.kind = StoredNames.value(call.kind, in: StoredNames.taskKinds) ?? .unspecified
        message.treatmentKind = StoredNames.value(call.treatmentKind, in: StoredNames.treatmentKinds) ?? .unspecified
        message.purpose = call.purpose
        message.dueDate = call.dueDate.description
        if let dueAt = call.dueAt { message.dueAt = Google_Protobuf_Timestamp(date: dueAt) }
        message.dueBy = call.dueBy.description
        message.caller = StoredNames.value(call.caller.rawValue, in: StoredNames.callers) ?? .unspecified
        return message
    }

    /// A patient message; `fullRecipient` only for the sender that claimed it.
    static func message(_ record: MessageRecord, fullRecipient: Bool = false) -> Clinic_Followup_V1_PatientMessage {
        var message = Clinic_Followup_V1_PatientMessage()
        message.id = record.id.lowercasedText
        message.patientID = record.patientID?.lowercasedText ?? ""
        message.patientName = record.patientName
        message.recipient = fullRecipient ? record.recipient : MobileNumber.mask(record.recipient)
        message.channel = StoredNames.value(record.channel, in: StoredNames.messageChannels) ?? .unspecified
        message.template = record.template
        message.values = record.values.sorted { $0.key < $1.key }.map { name, value in
            var entry = Clinic_Followup_V1_TemplateValue()
            entry.name = name
            entry.value = value
            return entry
        }
        message.text = record.text
        message.status = StoredNames.value(record.status, in: StoredNames.messageStatuses) ?? .unspecified
        message.sendAfter = Google_Protobuf_Timestamp(date: record.sendAfter)
        message.claimedBy = record.claimedBy
        if let at = record.claimedAt { message.claimedAt = Google_Protobuf_Timestamp(date: at) }
        if let at = record.claimExpiresAt { message.claimExpiresAt = Google_Protobuf_Timestamp(date: at) }
        message.failureReason = record.failureReason
        message.providerReference = record.providerReference
        message.appointmentID = record.appointmentID?.lowercasedText ?? ""
        message.taskID = record.taskID?.lowercasedText ?? ""
        message.queuedBy = record.queuedBy
        message.queuedAt = Google_Protobuf_Timestamp(date: record.queuedAt)
        if let at = record.reportedAt { message.reportedAt = Google_Protobuf_Timestamp(date: at) }
        message.claims = Int32(record.claims)
        return message
    }

    /// A complaint (phone masked).
    static func complaint(_ record: ComplaintRecord, today: ClinicDate) -> Clinic_Followup_V1_Complaint {
        var message = Clinic_Followup_V1_Complaint()
        message.id = record.id.lowercasedText
        message.patientID = record.patientID?.lowercasedText ?? ""
        message.patientName = record.patientName
        message.phone = MobileNumber.mask(record.phone)
        message.channel = StoredNames.value(record.channel, in: StoredNames.channels) ?? .unspecified
        message.category = StoredNames.value(record.category, in: StoredNames.complaintCategories) ?? .unspecified
        message.description_p = record.description
        message.severity = StoredNames.value(record.severity, in: StoredNames.severities) ?? .unspecified
        message.ownerID = record.ownerID?.lowercasedText ?? ""
        message.ownerName = record.ownerName
        message.status = StoredNames.value(record.status, in: StoredNames.complaintStatuses) ?? .unspecified
        message.replyDeadline = record.replyDeadline.description
        message.reply = record.reply
        message.resolution = record.resolution
        message.correctiveAction = record.correctiveAction
        message.resolutionSatisfaction = StoredNames.value(record.resolutionSatisfaction, in: StoredNames.satisfactions) ?? .unspecified
        message.escalated = record.escalatedAt != nil
        if let at = record.escalatedAt { message.escalatedAt = Google_Protobuf_Timestamp(date: at) }
        message.escalationReason = record.escalationReason
        message.taskID = record.taskID?.lowercasedText ?? ""
        message.visitID = record.visitID?.lowercasedText ?? ""
        message.filedBy = record.filedBy
        message.filedAt = Google_Protobuf_Timestamp(date: record.filedAt)
        message.overdue = record.isOverdue(on: today)
        message.steps = record.steps.map { step in
            var message = Clinic_Followup_V1_ComplaintStep()
            message.status = StoredNames.value(step.status, in: StoredNames.complaintStatuses) ?? .unspecified
            message.note = step.note
            message.by = step.by
            message.at = Google_Protobuf_Timestamp(date: step.at)
            return message
        }
        return message
    }
}

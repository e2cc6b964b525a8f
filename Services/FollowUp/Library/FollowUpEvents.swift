import ClinicProto
import ClinicService
import ClinicStore
import Foundation
import SwiftProtobuf

/// The events follow-up publishes, written to its outbox in the transaction that makes the change. None carries a phone.
enum FollowUpEvents {
    /// Records `FollowUpPlanned`.
    static func planned(_ task: TaskRecord, on db: Connection) throws {
        var event = Clinic_Followup_V1_FollowUpPlanned()
        event.taskID = task.id.lowercasedText
        event.kind = StoredNames.value(task.kind, in: StoredNames.taskKinds) ?? .unspecified
        event.patientID = task.patientID?.lowercasedText ?? ""
        event.dueDate = task.dueDate.description
        event.assigneeID = task.assigneeID?.lowercasedText ?? ""
        event.team = StoredNames.value(task.team.rawValue, in: StoredNames.teams) ?? .unspecified
        event.purpose = task.purpose
        try FollowUpService.events.append(event, on: db)
    }

    /// Records `FollowUpCompleted`.
    static func completed(_ task: TaskRecord, satisfaction: String?, by actor: String, at: Date, on db: Connection) throws {
        var event = Clinic_Followup_V1_FollowUpCompleted()
        event.taskID = task.id.lowercasedText
        event.kind = StoredNames.value(task.kind, in: StoredNames.taskKinds) ?? .unspecified
        event.patientID = task.patientID?.lowercasedText ?? ""
        event.satisfaction = StoredNames.value(satisfaction, in: StoredNames.satisfactions) ?? .unspecified
        event.completedBy = actor
        event.completedAt = Google_Protobuf_Timestamp(date: at)
        try FollowUpService.events.append(event, on: db)
    }

    /// Records any other event follow-up publishes.
    static func append(_ event: some SwiftProtobuf.Message, on db: Connection) throws {
        try FollowUpService.events.append(event, on: db)
    }
}

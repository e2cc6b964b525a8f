import ClinicService
import ClinicStore
import ClinicValues
import Foundation

/// Queues patient messages from templates, for senders to claim.
struct MessageQueue {
    let policy: FollowUpPolicy

    /// Queues `template` filled with `values` (the clinic's name and address added) to the patient's phone; nil when
    /// `sourceKey` queued it already. A patient follow-up has no number for yet (reception's registration not arrived)
    /// gets it when it does; until then no sender can claim the message.
    @discardableResult
    func queue(_ template: String, values: [String: String], to patient: PatientContact, channel: String = "sms", sendAfter: Date,
               appointmentID: UUID? = nil, taskID: UUID? = nil, sourceKey: String?, by actor: String, at now: Date,
               on db: Connection) throws -> MessageRecord? {
        var filled = values
        filled["clinic"] = policy.clinicName
        if !policy.clinicAddress.isEmpty { filled["address"] = "地址：\(policy.clinicAddress)" }
        let message = MessageRecord(id: UUID.random(), sourceKey: sourceKey, patientID: patient.id, patientName: patient.name,
                                    recipient: patient.phone, channel: channel, template: template, values: values,
                                    text: try MessageTemplates.render(template, values: filled), sendAfter: sendAfter,
                                    appointmentID: appointmentID, taskID: taskID, queuedBy: actor, queuedAt: now)
        return try MessageStore.insert(message, on: db) ? message : nil
    }
}

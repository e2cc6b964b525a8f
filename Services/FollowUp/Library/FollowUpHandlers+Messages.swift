import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation
import SwiftProtobuf

/// Patient messages: listing, queueing a text, and the senders' claims and delivery reports.
extension FollowUpHandlers {
    /// ListMessages: newest first, recipients masked.
    func listMessages(_ context: RequestContext, _ request: Clinic_Followup_V1_ListMessagesRequest) throws -> Clinic_Followup_V1_ListMessagesResponse {
        let page = try Page(request.page)
        let messages = try MessageStore.list(status: StoredNames.name(request.status, in: StoredNames.messageStatuses),
                                             patientID: try CheckedID.parseOptional(request.patientID, field: "patientId"),
                                             limit: page.size + 1, offset: page.offset, on: db)
        var response = Clinic_Followup_V1_ListMessagesResponse()
        response.messages = messages.prefix(page.size).map { FollowUpMessages.message($0) }
        if messages.count > page.size { response.nextPageToken = page.next.token }
        return response
    }

    /// QueueMessage: a follow-up text from a template to a patient follow-up knows the number of.
    func queueMessage(_ context: RequestContext, _ request: Clinic_Followup_V1_QueueMessageRequest) throws -> Clinic_Followup_V1_PatientMessage {
        let patientID = try CheckedID.parse(request.patientID, field: "patientId")
        guard MessageTemplates.queueable.contains(request.template) else {
            throw RPCError.invalidArgument(field: "template", "must be one of: \(MessageTemplates.queueable.sorted().joined(separator: ", "))")
        }
        guard let channel = StoredNames.name(request.channel, in: StoredNames.messageChannels) else {
            throw RPCError.invalidArgument(field: "channel", "must be sms or wechat")
        }
        let taskID = try CheckedID.parseOptional(request.taskID, field: "taskId")
        let now = Date().inStoredPrecision
        return try IdempotentWrite.perform(context, on: db) { db in
            guard let patient = try Directory.patient(patientID, on: db) else {
                throw RPCError.notFound("patient \(patientID.lowercasedText) is not known to follow-up")
            }
            guard !patient.phone.isEmpty else { throw RPCError.failedPrecondition("patient \(patientID.lowercasedText) has no phone on file") }
            if let taskID, try TaskStore.find(taskID, on: db) == nil { throw RPCError.notFound("follow-up \(taskID.lowercasedText) not found") }
            var values: [String: String] = [:]
            for entry in request.values { values[entry.name] = entry.value }
            if values["name"] == nil { values["name"] = patient.name }
            guard let message = try MessageQueue(policy: policy).queue(
                request.template, values: values, to: patient, channel: channel, sendAfter: now, taskID: taskID, sourceKey: nil,
                by: context.actor, at: now, on: db) else { throw RPCError.failedPrecondition("the message could not be queued") }
            logger.info("message queued", metadata: ["message_id": "\(message.id.lowercasedText)", "template": "\(message.template)",
                                                     "by": "\(context.actor)"])
            return FollowUpMessages.message(message)
        }
    }

    /// ClaimMessages: messages due now, each to exactly one sender, with the full recipient.
    func claimMessages(_ context: RequestContext, _ request: Clinic_Followup_V1_ClaimMessagesRequest) throws -> Clinic_Followup_V1_ClaimMessagesResponse {
        let limit = request.maxMessages == 0 ? 10 : Int(request.maxMessages)
        let lease = request.leaseSeconds == 0 ? policy.defaultLeaseSeconds : max(10, Int(request.leaseSeconds))
        let channel = request.channel == .unspecified ? nil : StoredNames.name(request.channel, in: StoredNames.messageChannels)
        let claimed = try db.transaction { db in
            try MessageStore.claim(sender: request.sender, peer: context.caller.peer, channel: channel, limit: limit, lease: lease,
                                   now: Date().inStoredPrecision, on: db)
        }
        if !claimed.isEmpty { logger.info("messages claimed", metadata: ["sender": "\(request.sender)", "count": "\(claimed.count)"]) }
        var response = Clinic_Followup_V1_ClaimMessagesResponse()
        response.messages = claimed.map { FollowUpMessages.message($0, fullRecipient: true) }
        return response
    }

    /// ReportDelivery: sent, delivered or failed, by the sender holding the claim. A delivered reminder completes its
    /// task; a failure raises a task to reach the patient another way. Reporting the same outcome again changes nothing.
    func reportDelivery(_ context: RequestContext, _ request: Clinic_Followup_V1_ReportDeliveryRequest) throws -> Clinic_Followup_V1_PatientMessage {
        let id = try CheckedID.parse(request.messageID, field: "messageId")
        guard let outcome = [Clinic_Followup_V1_DeliveryOutcome.sent: "sent", .delivered: "delivered", .failed: "failed"][request.outcome] else {
            throw RPCError.invalidArgument(field: "outcome", "must be sent, delivered or failed")
        }
        let reason = request.reason.trimmingWhitespace()
        if outcome == "failed" && reason.isEmpty { throw RPCError.invalidArgument(field: "reason", "a failure says why") }
        let now = Date().inStoredPrecision
        return try db.transaction { db in
            guard let message = try MessageStore.find(id, forUpdate: true, on: db) else { throw RPCError.notFound("message \(id.lowercasedText) not found") }
            guard message.claimedBy == request.sender else {
                throw RPCError.failedPrecondition("message \(id.lowercasedText) is not claimed by \(request.sender)")
            }
            if message.status == outcome { return FollowUpMessages.message(message) }
            let allowed: [String: Set<String>] = ["sent": ["claimed"], "delivered": ["claimed", "sent"], "failed": ["claimed", "sent"]]
            guard allowed[outcome]?.contains(message.status) == true else {
                throw RPCError.failedPrecondition("message \(id.lowercasedText) is \(message.status): it cannot become \(outcome)")
            }
            try MessageStore.report(id, status: outcome, reason: outcome == "failed" ? reason : "", reference: request.providerReference.trimmingWhitespace(),
                                    at: now, on: db)
            let actor = "system:\(request.sender)"
            if outcome == "delivered", let taskID = message.taskID, let task = try TaskStore.find(taskID, forUpdate: true, on: db), task.status == "open" {
                try TaskStore.record(AttemptRecord(reached: true, channel: message.channel == "wechat" ? "wechat" : "sms",
                                                   notes: "message \(id.lowercasedText) delivered", recordedBy: actor, recordedAt: now),
                                     on: taskID, on: db)
                try FollowUpEvents.completed(task, satisfaction: nil, by: actor, at: now, on: db)
            }
            if outcome == "failed" {
                let patient = PatientContact(id: message.patientID, name: message.patientName, phone: message.recipient)
                let task = try planning.call("message_failed", purpose: "短信/微信发送失败，请电话联系（\(message.template)）", patient: patient,
                                             due: clock.date(of: now), dueAt: now, caller: .customerService, appointmentID: message.appointmentID,
                                             sourceKey: "message-failed:\(id.lowercasedText)", by: actor, at: now, on: db)
                var event = Clinic_Followup_V1_MessageFailed()
                event.messageID = id.lowercasedText
                event.patientID = message.patientID?.lowercasedText ?? ""
                event.template = message.template
                event.reason = reason
                event.taskID = task?.id.lowercasedText ?? ""
                try FollowUpEvents.append(event, on: db)
                logger.warning("message delivery failed", metadata: ["message_id": "\(id.lowercasedText)", "sender": "\(request.sender)"])
            }
            guard let after = try MessageStore.find(id, on: db) else { throw RPCError.notFound("message \(id.lowercasedText) not found") }
            return FollowUpMessages.message(after)
        }
    }
}

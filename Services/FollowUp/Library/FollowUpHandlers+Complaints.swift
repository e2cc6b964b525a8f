import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation

/// Complaints: filing, reading, and the steps open → investigating → replied → closed.
extension FollowUpHandlers {
    /// FileComplaint: a complaint with its reply deadline.
    func fileComplaint(_ context: RequestContext, _ request: Clinic_Followup_V1_FileComplaintRequest) throws -> Clinic_Followup_V1_Complaint {
        guard let channel = StoredNames.name(request.channel, in: StoredNames.channels) else { throw RPCError.invalidArgument(field: "channel", "must be a channel") }
        guard let category = StoredNames.name(request.category, in: StoredNames.complaintCategories) else {
            throw RPCError.invalidArgument(field: "category", "must be a complaint category")
        }
        let patientID = try CheckedID.parseOptional(request.patientID, field: "patientId")
        let owner = try CheckedID.parseOptional(request.ownerID, field: "ownerId")
        let now = Date().inStoredPrecision
        return try IdempotentWrite.perform(context, on: db) { db in
            let known = try patientID.flatMap { try Directory.patient($0, on: db) }
            let phone = MobileNumber(request.phone)?.digits ?? known?.phone ?? ""
            let patient = PatientContact(id: patientID, name: request.patientName.trimmingWhitespace(), phone: phone)
            if let owner { try self.requireActive(owner, on: db) }
            let draft = complaintDesk.draft(patient: patient, channel: channel, category: category, description: request.description_p.trimmingWhitespace(),
                                            severity: StoredNames.name(request.severity, in: StoredNames.severities) ?? "medium",
                                            owner: owner, by: context.actor, at: now)
            try complaintDesk.file(draft, on: db)
            logger.info("complaint filed", metadata: ["complaint_id": "\(draft.id.lowercasedText)", "by": "\(context.actor)"])
            return try self.complaintMessage(draft.id, on: db)
        }
    }

    /// GetComplaint: one complaint with its steps.
    func getComplaint(_ context: RequestContext, _ request: Clinic_Followup_V1_GetComplaintRequest) throws -> Clinic_Followup_V1_Complaint {
        try complaintMessage(try CheckedID.parse(request.complaintID, field: "complaintId"), on: db)
    }

    /// ListComplaints: by status, category or escalation, oldest first.
    func listComplaints(_ context: RequestContext, _ request: Clinic_Followup_V1_ListComplaintsRequest) throws -> Clinic_Followup_V1_ListComplaintsResponse {
        let page = try Page(request.page)
        let complaints = try ComplaintStore.list(status: StoredNames.name(request.status, in: StoredNames.complaintStatuses),
                                                 category: StoredNames.name(request.category, in: StoredNames.complaintCategories),
                                                 escalatedOnly: request.escalatedOnly, limit: page.size + 1, offset: page.offset, on: db)
        let today = clock.today()
        var response = Clinic_Followup_V1_ListComplaintsResponse()
        response.complaints = complaints.prefix(page.size).map { FollowUpMessages.complaint($0, today: today) }
        if complaints.count > page.size { response.nextPageToken = page.next.token }
        return response
    }

    /// StartInvestigation: open → investigating, with its owner (default the caller).
    func startInvestigation(_ context: RequestContext, _ request: Clinic_Followup_V1_StartInvestigationRequest) throws -> Clinic_Followup_V1_Complaint {
        let owner = try CheckedID.parseOptional(request.ownerID, field: "ownerId") ?? Self.member(context)
        return try complaintStep(request.complaintID, to: "investigating", note: request.note.trimmingWhitespace(), context) { complaint, step, db in
            if let owner, owner != Self.member(context) { try self.requireActive(owner, on: db) }
            try ComplaintStore.advance(complaint.id, to: "investigating", owner: owner, step: step, on: db)
        }
    }

    /// ReplyToComplaint: investigating → replied, with the reply.
    func replyToComplaint(_ context: RequestContext, _ request: Clinic_Followup_V1_ReplyToComplaintRequest) throws -> Clinic_Followup_V1_Complaint {
        let reply = request.reply.trimmingWhitespace()
        guard !reply.isEmpty else { throw RPCError.invalidArgument(field: "reply", "is required") }
        return try complaintStep(request.complaintID, to: "replied", note: "", context) { complaint, step, db in
            try ComplaintStore.advance(complaint.id, to: "replied", reply: reply, step: step, on: db)
        }
    }

    /// CloseComplaint: replied → closed, with the resolution and the patient's satisfaction; a patient still unsatisfied
    /// (A) escalates it to the director.
    func closeComplaint(_ context: RequestContext, _ request: Clinic_Followup_V1_CloseComplaintRequest) throws -> Clinic_Followup_V1_Complaint {
        let resolution = request.resolution.trimmingWhitespace()
        guard !resolution.isEmpty else { throw RPCError.invalidArgument(field: "resolution", "is required") }
        guard let satisfaction = StoredNames.name(request.satisfaction, in: StoredNames.satisfactions) else {
            throw RPCError.invalidArgument(field: "satisfaction", "must be A, B, C or D")
        }
        let now = Date().inStoredPrecision
        return try complaintStep(request.complaintID, to: "closed", note: resolution, context) { complaint, step, db in
            try ComplaintStore.advance(complaint.id, to: "closed", resolution: resolution, correctiveAction: request.correctiveAction.trimmingWhitespace(),
                                       satisfaction: satisfaction, step: step, on: db)
            if satisfaction == "A" {
                var closed = complaint
                closed.status = "closed"
                try complaintDesk.escalate(closed, reason: "the patient is not satisfied with the resolution", at: now, on: db)
            }
        }
    }

    /// One step of a complaint under its lock: it must stand where the step needs it.
    private func complaintStep(_ idText: String, to next: String, note: String, _ context: RequestContext,
                               apply: (ComplaintRecord, ComplaintStepRecord, Connection) throws -> Void) throws -> Clinic_Followup_V1_Complaint {
        let id = try CheckedID.parse(idText, field: "complaintId")
        let now = Date().inStoredPrecision
        return try IdempotentWrite.perform(context, on: db) { db in
            guard let complaint = try ComplaintStore.find(id, forUpdate: true, on: db) else { throw RPCError.notFound("complaint \(id.lowercasedText) not found") }
            if case .failure(let refused) = ComplaintLifecycle.check(from: complaint.status, to: next) {
                throw RPCError.failedPrecondition("complaint \(id.lowercasedText): \(refused)")
            }
            try apply(complaint, ComplaintStepRecord(status: next, note: note, by: context.actor, at: now), db)
            logger.info("complaint \(next)", metadata: ["complaint_id": "\(id.lowercasedText)", "by": "\(context.actor)"])
            return try self.complaintMessage(id, on: db)
        }
    }

    /// NOT_FOUND for a member follow-up has not heard of, FAILED_PRECONDITION for one who has left.
    func requireActive(_ member: UUID, on db: Connection) throws {
        guard let known = try Directory.member(member, on: db) else { throw RPCError.notFound("member \(member.lowercasedText) is not known to follow-up") }
        guard known.active else { throw RPCError.failedPrecondition("member \(member.lowercasedText) has left: choose an active member") }
    }

    /// The complaint `id` as the contract shows it.
    func complaintMessage(_ id: UUID, on db: Connection) throws -> Clinic_Followup_V1_Complaint {
        guard let complaint = try ComplaintStore.find(id, on: db) else { throw RPCError.notFound("complaint \(id.lowercasedText) not found") }
        return FollowUpMessages.complaint(complaint, today: clock.today())
    }
}

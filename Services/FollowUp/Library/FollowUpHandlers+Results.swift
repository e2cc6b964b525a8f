import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation

/// Call results and what they set in motion.
extension FollowUpHandlers {
    /// RecordResult: one attempt at a task. Not reached: counted, the task stays open. Reached: the task is done, and
    /// a complaint, the doctor's call back, tomorrow's discomfort call, booking chases, a booking through scheduling and,
    /// at a series' end, long-term recall follow, all in one transaction (the booking is idempotent on the request's key).
    func recordResult(_ context: RequestContext, _ request: Clinic_Followup_V1_RecordResultRequest) throws -> Clinic_Followup_V1_RecordResultResponse {
        let id = try CheckedID.parse(request.taskID, field: "taskId")
        guard let channel = StoredNames.name(request.channel, in: StoredNames.channels) else {
            throw RPCError.invalidArgument(field: "channel", "must be a channel")
        }
        if !request.reached {
            var violations: [Violation] = []
            if request.hasComplaint { violations.append(Violation("complaint", "a call that did not reach the patient raises no complaint")) }
            if request.hasRebook { violations.append(Violation("rebook", "a call that did not reach the patient books nothing")) }
            if request.satisfaction != .unspecified { violations.append(Violation("satisfaction", "is asked only of a patient reached")) }
            if request.discomfort { violations.append(Violation("discomfort", "is reported only by a patient reached")) }
            if request.doctorCallBackNeeded { violations.append(Violation("doctorCallBackNeeded", "is asked only by a patient reached")) }
            if request.bookingLater { violations.append(Violation("bookingLater", "is said only by a patient reached")) }
            if !violations.isEmpty { throw ViolationList(violations).rpcError }
        }
        if request.hasRebook && request.bookingLater {
            throw RPCError.invalidArgument(field: "bookingLater", "a patient booked now does not also book later")
        }
        let now = Date().inStoredPrecision
        let today = clock.date(of: now)
        let key = context.idempotencyKey
        return try IdempotentWrite.perform(context, on: db) { db in
            let task = try self.openTask(id, context, on: db)
            var attempt = AttemptRecord(reached: request.reached, channel: channel,
                                        conditions: request.conditions.compactMap { StoredNames.name($0, in: StoredNames.conditions) },
                                        advice: request.advice.trimmingWhitespace(), satisfaction: StoredNames.name(request.satisfaction, in: StoredNames.satisfactions),
                                        suggestions: request.suggestions.trimmingWhitespace(), notes: request.notes.trimmingWhitespace(), recordedBy: context.actor,
                                        recordedAt: now)
            var response = Clinic_Followup_V1_RecordResultResponse()
            var created: [TaskRecord] = []
            if request.reached {
                let patient = PatientContact(id: task.patientID, name: task.patientName, phone: task.phone)
                if request.hasComplaint {
                    let draft = request.complaint
                    guard let category = StoredNames.name(draft.category, in: StoredNames.complaintCategories) else {
                        throw RPCError.invalidArgument(field: "complaint.category", "must be a complaint category")
                    }
                    let complaint = complaintDesk.draft(patient: patient, channel: channel, category: category,
                                                        description: draft.description_p.trimmingWhitespace(),
                                                        severity: StoredNames.name(draft.severity, in: StoredNames.severities) ?? "medium",
                                                        taskID: task.id, visitID: task.visitID, sourceKey: "task:\(task.id.lowercasedText)",
                                                        by: context.actor, at: now)
                    if let filed = try complaintDesk.file(complaint, on: db) {
                        attempt.complaintID = filed.id
                        response.complaint = FollowUpMessages.complaint(filed, today: today)
                    }
                }
                /// A call for the treating doctor tomorrow, made from this one.
                func doctorTomorrow(_ kind: String, _ purpose: String, key: String) throws -> TaskRecord? {
                    try planning.call(kind, purpose: purpose, patient: patient, due: today.adding(days: 1), caller: .treatingDoctor,
                                      doctorID: task.treatingDoctorID, doctorName: task.treatingDoctorName, visitID: task.visitID,
                                      sourceKey: "\(key):\(task.id.lowercasedText)", by: context.actor, at: now, on: db)
                }
                if request.doctorCallBackNeeded, let callBack = try doctorTomorrow("doctor_call_back", "医生回电（\(task.purpose)）",
                                                                                  key: "doctor-call-back") {
                    attempt.doctorCallBackTaskID = callBack.id
                    created.append(callBack)
                }
                if request.discomfort, let again = try doctorTomorrow("discomfort_call", "不适复访：医生次日再回访（\(task.purpose)）",
                                                                      key: "discomfort") {
                    attempt.discomfortTaskID = again.id
                    created.append(again)
                }
                if request.bookingLater {
                    created += try planning.chase(patient, from: today, reason: "回访时表示稍后预约", sourceKey: "task:\(task.id.lowercasedText)",
                                                  by: context.actor, at: now, on: db)
                    attempt.bookingLater = true
                }
                if request.hasRebook {
                    guard let patientID = task.patientID else {
                        throw RPCError.failedPrecondition("the task's caller is not a registered patient: register them before booking")
                    }
                    let appointment = try self.book(request.rebook, patientID: patientID, context: context, key: key)
                    attempt.appointmentID = UUIDText.parse(appointment.id)
                    response.appointmentID = appointment.id
                }
                if task.endsSeries, let recall = try planning.recall(after: task, by: context.actor, at: now, on: db) {
                    attempt.movedToRecall = true
                    created.append(recall)
                }
            }
            try TaskStore.record(attempt, on: task.id, on: db)
            if request.reached { try FollowUpEvents.completed(task, satisfaction: attempt.satisfaction, by: context.actor, at: now, on: db) }
            guard let after = try TaskStore.find(task.id, on: db) else { throw RPCError.notFound("follow-up \(id.lowercasedText) not found") }
            logger.info("follow-up result recorded", metadata: ["task_id": "\(id.lowercasedText)", "reached": "\(request.reached)",
                                                                "by": "\(context.actor)"])
            response.task = FollowUpMessages.task(after, today: today, fullPhone: Self.mayReadPhone(after, context))
            response.createdTasks = created.map { FollowUpMessages.task($0, today: today) }
            return response
        }
    }

    /// Books the patient through scheduling's own rpc, on the caller's token; a retry of this request books nothing twice.
    private func book(_ rebook: Clinic_Followup_V1_Rebooking, patientID: UUID, context: RequestContext,
                      key: String) throws -> Clinic_Scheduling_V1_Appointment {
        var booking = Clinic_Scheduling_V1_BookAppointmentRequest()
        booking.patientID = patientID.lowercasedText
        booking.doctorID = rebook.doctorID
        booking.chairID = rebook.chairID
        booking.startTime = rebook.startTime
        booking.durationMinutes = rebook.durationMinutes
        booking.procedure = rebook.procedure
        booking.source = .phone
        booking.notes = "回访预约"
        do {
            return try context.call(Clinic_Scheduling_V1_Scheduling.bookAppointment, booking,
                                    idempotencyKey: key.isEmpty ? "" : "followup:\(key)")
        } catch let error as RPCError {
            throw RPCError(error.code, "booking through scheduling failed: \(error.message)", violations: error.violations.map { violation in
                var renamed = violation
                renamed.field = "rebook.\(violation.field)"
                return renamed
            })
        }
    }
}

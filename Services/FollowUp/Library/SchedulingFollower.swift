import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation
import Logging

/// What follow-up does with scheduling's events: a booking gets its confirmation message and the day-before reminder
/// (15:00 by default, a task and its message), and ends the patient's booking chases; a move or cancellation drops
/// the old reminder; a missed appointment gets a call the same day.
enum SchedulingFollower {
    /// Scheduling as an event source.
    static let source = EventSource(publisher: "scheduling", topicPrefix: "clinic.scheduling.", replay: Clinic_Scheduling_V1_Events.replay)

    /// Registers the handlers of scheduling's events.
    static func register(on handlers: EventHandlers, clock: ClinicClock, policy: FollowUpPolicy, logger: Logger) {
        let follower = Follower(clock: clock, policy: policy, logger: logger)
        handlers.on(Clinic_Scheduling_V1_AppointmentBooked.self) { db, _, event in try follower.booked(event.appointment, on: db) }
        handlers.on(Clinic_Scheduling_V1_AppointmentRescheduled.self) { db, _, event in
            try follower.drop(event.previous, reason: "appointment moved to \(event.appointment.startLocal)", on: db)
            try follower.booked(event.appointment, on: db)
        }
        handlers.on(Clinic_Scheduling_V1_AppointmentCancelled.self) { db, _, event in
            try follower.drop(event.appointment, reason: "appointment cancelled", on: db)
        }
        handlers.on(Clinic_Scheduling_V1_AppointmentMissed.self) { db, _, event in try follower.missed(event.appointment, on: db) }
    }

    /// The handlers' shared state.
    struct Follower {
        let clock: ClinicClock
        let policy: FollowUpPolicy
        let logger: Logger
        let actor = "system:followup"
        var planning: TaskPlanning { TaskPlanning(clock: clock, policy: policy) }

        /// Who the appointment is for: the registered patient as reception described them, or the prospect.
        func patient(of appointment: Clinic_Scheduling_V1_Appointment, on db: Connection) throws -> PatientContact {
            if let id = UUIDText.parse(appointment.patientID) {
                return try Directory.patient(id, on: db) ?? PatientContact(id: id, name: appointment.patientName, phone: "")
            }
            return PatientContact(id: nil, name: appointment.prospect.name,
                                  phone: MobileNumber(appointment.prospect.phone)?.digits ?? "")
        }

        /// A booking: the confirmation now, the reminder at 15:00 the day before (when that is still to come).
        func booked(_ appointment: Clinic_Scheduling_V1_Appointment, on db: Connection) throws {
            guard let id = UUIDText.parse(appointment.id), appointment.hasStartTime else { return }
            let bookedAt = appointment.hasCreatedAt ? appointment.createdAt.date : Date()
            let start = appointment.startTime.date
            let patient = try patient(of: appointment, on: db)
            let values = ["name": patient.name.isEmpty ? "您" : patient.name, "time": clock.display(start),
                          "doctor": appointment.doctorName.isEmpty ? "主诊" : appointment.doctorName]
            try queue("appointment_confirmation", values: values, to: patient, sendAfter: bookedAt, appointmentID: id, taskID: nil,
                      sourceKey: "confirmation:\(id.lowercasedText)", at: bookedAt, on: db)
            if let patientID = patient.id {
                try TaskStore.cancel(kind: "booking_chase", patientID: patientID, reason: "booked appointment \(id.lowercasedText)",
                                     by: actor, at: bookedAt, on: db)
            }
            let remindDay = clock.date(of: start).adding(days: -1)
            let remindAt = clock.instant(remindDay, policy.reminderTime)
            guard remindAt > bookedAt, remindAt > Date().addingTimeInterval(-86_400) else { return }
            let reminder = try planning.call("appointment_reminder", purpose: "就诊前一天提醒（\(clock.display(start))）", patient: patient,
                                             due: remindDay, dueAt: remindAt, caller: .customerService,
                                             doctorID: UUIDText.parse(appointment.doctorID), doctorName: appointment.doctorName,
                                             appointmentID: id, sourceKey: "reminder:\(id.lowercasedText)", by: actor, at: bookedAt, on: db)
            try queue("appointment_reminder", values: values, to: patient, sendAfter: remindAt, appointmentID: id,
                      taskID: reminder?.id, sourceKey: "reminder-message:\(id.lowercasedText)", at: bookedAt, on: db)
        }

        /// Queues a message; one its template refuses (a value it cannot carry) is logged and left out, so that one odd
        /// appointment never holds up the events after it.
        func queue(_ template: String, values: [String: String], to patient: PatientContact, sendAfter: Date, appointmentID: UUID,
                   taskID: UUID?, sourceKey: String, at now: Date, on db: Connection) throws {
            do {
                try MessageQueue(policy: policy).queue(template, values: values, to: patient, sendAfter: sendAfter, appointmentID: appointmentID,
                                                       taskID: taskID, sourceKey: sourceKey, by: actor, at: now, on: db)
            } catch let refused as RPCError {
                logger.warning("message left out", metadata: ["template": "\(template)", "appointment_id": "\(appointmentID.lowercasedText)",
                                                              "reason": "\(refused.message)"])
            }
        }

        /// A moved or cancelled appointment: its reminder task and any message not yet sent are dropped.
        func drop(_ appointment: Clinic_Scheduling_V1_Appointment, reason: String, on db: Connection) throws {
            guard let id = UUIDText.parse(appointment.id) else { return }
            try TaskStore.cancel(kind: "appointment_reminder", appointmentID: id, reason: reason, by: actor, at: Date(), on: db)
            try MessageStore.cancel(appointmentID: id, template: "appointment_reminder", on: db)
        }

        /// A missed appointment: a call to the patient the same day.
        func missed(_ appointment: Clinic_Scheduling_V1_Appointment, on db: Connection) throws {
            guard let id = UUIDText.parse(appointment.id) else { return }
            let start = appointment.hasStartTime ? appointment.startTime.date : Date()
            try planning.call("no_show_call", purpose: "爽约当日回电（原约\(clock.display(start))）", patient: try patient(of: appointment, on: db),
                              due: clock.date(of: start), dueAt: start, caller: .customerService,
                              doctorID: UUIDText.parse(appointment.doctorID), doctorName: appointment.doctorName, appointmentID: id,
                              sourceKey: "no-show:\(id.lowercasedText)", by: actor, at: Date(), on: db)
            try drop(appointment, reason: "appointment missed", on: db)
        }
    }
}

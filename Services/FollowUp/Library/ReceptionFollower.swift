import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation
import Logging

/// What follow-up does with reception's events: a completed treatment gets its plan; a patient who left unseen a
/// call back; a phone consultation a call back or booking chases; a refused original doctor a complaint for the
/// director. Registrations keep follow-up's copy of the patient's name, phone and consultant.
enum ReceptionFollower {
    /// Reception as an event source.
    static let source = EventSource(publisher: "reception", topicPrefix: "clinic.reception.", replay: Clinic_Reception_V1_Events.replay)

    /// Registers the handlers of reception's events.
    static func register(on handlers: EventHandlers, clock: ClinicClock, policy: FollowUpPolicy, logger: Logger) {
        let planning = TaskPlanning(clock: clock, policy: policy)
        let actor = "system:followup"
        handlers.on(Clinic_Reception_V1_PatientRegistered.self) { db, _, event in
            try Directory.savePatient(PatientContact(id: UUIDText.parse(event.patientID), name: event.name, phone: event.phone,
                                                     consultant: event.consultant), at: Date(), on: db)
        }
        handlers.on(Clinic_Reception_V1_PatientUpdated.self) { db, _, event in
            try Directory.savePatient(PatientContact(id: UUIDText.parse(event.patientID), name: "", phone: event.phone), at: Date(), on: db)
        }
        handlers.on(Clinic_Reception_V1_TreatmentCompleted.self) { db, header, event in
            let tasks = try planning.plan(event, on: db)
            logger.info("follow-up plan made", metadata: ["visit_id": "\(event.visitID)", "tasks": "\(tasks.count)", "seq": "\(header.seq)"])
        }
        handlers.on(Clinic_Reception_V1_PatientLeftUnseen.self) { db, _, event in
            let leftAt = event.hasLeftAt ? event.leftAt.date : Date()
            let patient = PatientContact(id: UUIDText.parse(event.patientID), name: event.patientName, phone: event.phone)
            try planning.call("left_unseen_call_back", purpose: "未就诊离开回电（候诊\(event.waitedMinutes)分钟）",
                              patient: patient, due: clock.date(of: leftAt), dueAt: leftAt, caller: .customerService,
                              doctorID: UUIDText.parse(event.doctorID), visitID: UUIDText.parse(event.visitID),
                              sourceKey: "left-unseen:\(event.visitID)", by: actor, at: leftAt, on: db)
        }
        handlers.on(Clinic_Reception_V1_PhoneConsultationRecorded.self) { db, _, event in
            try phoneConsultation(event, planning: planning, clock: clock, policy: policy, on: db)
        }
        handlers.on(Clinic_Reception_V1_OriginalDoctorRefused.self) { db, _, event in
            let at = event.hasRefusedAt ? event.refusedAt.date : Date()
            let known = try UUIDText.parse(event.patientID).flatMap { try Directory.patient($0, on: db) }
            let patient = known ?? PatientContact(id: UUIDText.parse(event.patientID), name: event.patientName, phone: "")
            let desk = ComplaintDesk(clock: clock, policy: policy)
            let draft = desk.draft(patient: patient, channel: "in_person", category: "medical",
                                   description: "患者拒绝原主治医生\(event.originalDoctorName)：\(event.reason)", severity: "medium",
                                   visitID: UUIDText.parse(event.visitID), sourceKey: "doctor-refused:\(event.visitID)",
                                   by: event.recordedBy.isEmpty ? actor : event.recordedBy, at: at)
            if let filed = try desk.file(draft, on: db) {
                try desk.escalate(filed, reason: "a patient refused their original doctor", at: at, on: db)
            }
        }
    }

    /// A phone consultation: a call back when one was promised, and calls on days 2, 4 and 7 when the caller needs an
    /// appointment they did not book.
    static func phoneConsultation(_ event: Clinic_Reception_V1_PhoneConsultationRecorded, planning: TaskPlanning, clock: ClinicClock,
                                  policy: FollowUpPolicy, on db: Connection) throws {
        let at = event.hasRecordedAt ? event.recordedAt.date : Date()
        let patient = PatientContact(id: UUIDText.parse(event.patientID), name: event.callerName, phone: event.phone)
        let day = clock.date(of: at)
        if event.callBackNeeded {
            try planning.call("consultation_call_back", purpose: "电话咨询回电", patient: patient, due: day, dueAt: at,
                              caller: .customerService, sourceKey: "consultation:\(event.consultationID)", by: "system:followup",
                              at: at, on: db)
        }
        if event.appointmentNeeded {
            try planning.chase(patient, from: day, reason: "电话咨询后未预约", sourceKey: "consultation:\(event.consultationID)",
                               by: "system:followup", at: at, on: db)
        }
    }
}

extension TaskPlanning {
    /// Calls on the policy's days (2, 4 and 7) after `day` to a patient who said they would book later; dropped
    /// when they book.
    @discardableResult
    func chase(_ patient: PatientContact, from day: ClinicDate, reason: String, sourceKey: String, by actor: String, at now: Date,
               on db: Connection) throws -> [TaskRecord] {
        try policy.bookingChaseDays.compactMap { offset in
            try call("booking_chase", purpose: "预约跟进（\(reason)，第\(offset)天）", patient: patient, due: day.adding(days: offset),
                     caller: .customerService, sourceKey: "\(sourceKey):chase:\(offset)", by: actor, at: now, on: db)
        }
    }
}

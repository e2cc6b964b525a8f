import ClinicProto
import ClinicService
import ClinicStore
import Foundation
import SwiftProtobuf

/// The events reception publishes, written to its outbox in the transaction that makes the change.
enum ReceptionEvents {
    /// The `PatientRegistered` event of a patient about to be stored under `id` (it goes out in the insert itself).
    static func patientRegistered(id: UUID, patient: ValidPatient, details: PatientDetails) throws -> OutboxEntry {
        var event = Clinic_Reception_V1_PatientRegistered()
        event.patientID = id.lowercasedText
        event.name = patient.name
        event.gender = .init(rawValue: details.gender) ?? .unspecified
        event.birthDate = patient.birthDate.description
        event.phone = patient.phone.digits
        event.sourceChannel = .init(rawValue: details.sourceChannel) ?? .unspecified
        event.consultant = details.consultant
        return try ReceptionService.events.entry(event)
    }

    /// Records `PatientUpdated` after a contact change.
    static func patientUpdated(_ record: PatientRecord, changedFields: [String], on db: Connection) throws {
        var event = Clinic_Reception_V1_PatientUpdated()
        event.patientID = record.id.lowercasedText
        event.changedFields = changedFields
        event.phone = record.phone
        event.address = record.address
        event.version = record.version
        try ReceptionService.events.append(event, on: db)
    }

    /// Records `PatientCheckedIn` for a new visit (scheduling marks the appointment arrived from it).
    static func patientCheckedIn(_ visit: NewVisit, on db: Connection) throws {
        var event = Clinic_Reception_V1_PatientCheckedIn()
        event.checkInID = visit.id.lowercasedText
        event.patientID = visit.patientID.lowercasedText
        event.appointmentID = visit.appointmentID?.lowercasedText ?? ""
        event.checkedInAt = Google_Protobuf_Timestamp(date: visit.checkedInAt)
        event.kind = visit.kind.message
        event.doctorID = visit.doctor?.id ?? ""
        event.checkedInBy = visit.checkedInBy
        try ReceptionService.events.append(event, on: db)
    }

    /// Records `EmergencyArrived`: the supervisor is alerted.
    static func emergencyArrived(_ visit: NewVisit, patientName: String, on db: Connection) throws {
        var event = Clinic_Reception_V1_EmergencyArrived()
        event.visitID = visit.id.lowercasedText
        event.patientID = visit.patientID.lowercasedText
        event.patientName = patientName
        event.complaint = visit.complaint
        event.arrivedAt = Google_Protobuf_Timestamp(date: visit.checkedInAt)
        event.doctorID = visit.doctor?.id ?? ""
        try ReceptionService.events.append(event, on: db)
    }

    /// Records `OriginalDoctorRefused`: follow-up files it as a complaint and the director is informed.
    static func originalDoctorRefused(visitID: UUID, patientID: UUID, patientName: String, original: DoctorOnDuty,
                                      assigned: DoctorOnDuty?, teeth: [Int], reason: String, at: Date, by: String,
                                      on db: Connection) throws {
        var event = Clinic_Reception_V1_OriginalDoctorRefused()
        event.visitID = visitID.lowercasedText
        event.patientID = patientID.lowercasedText
        event.patientName = patientName
        event.originalDoctorID = original.id
        event.originalDoctorName = original.name
        event.assignedDoctorID = assigned?.id ?? ""
        event.teeth = teeth.map(Int32.init)
        event.reason = reason
        event.refusedAt = Google_Protobuf_Timestamp(date: at)
        event.recordedBy = by
        try ReceptionService.events.append(event, on: db)
    }

    /// Records `TreatmentStarted` (scheduling marks the appointment in treatment).
    static func treatmentStarted(_ visit: VisitRecord, at: Date, by: String, on db: Connection) throws {
        var event = Clinic_Reception_V1_TreatmentStarted()
        event.visitID = visit.id.lowercasedText
        event.patientID = visit.patientID.lowercasedText
        event.appointmentID = visit.appointmentID?.lowercasedText ?? ""
        event.doctorID = visit.doctorID ?? ""
        event.startedAt = Google_Protobuf_Timestamp(date: at)
        event.startedBy = by
        try ReceptionService.events.append(event, on: db)
    }

    /// Records `TreatmentCompleted` with the treatments given: billing, follow-up and scheduling act on it.
    static func treatmentCompleted(_ visit: VisitRecord, treatments: [TreatmentRecord], at: Date, by: String,
                                   on db: Connection) throws {
        var event = Clinic_Reception_V1_TreatmentCompleted()
        event.visitID = visit.id.lowercasedText
        event.patientID = visit.patientID.lowercasedText
        event.patientName = visit.patientName
        event.appointmentID = visit.appointmentID?.lowercasedText ?? ""
        event.doctorID = visit.doctorID ?? ""
        event.doctorName = visit.doctorName
        event.treatments = treatments.map(VisitMessages.treatment)
        event.completedAt = Google_Protobuf_Timestamp(date: at)
        event.visitKind = visit.kind.message
        event.recordedBy = by
        try ReceptionService.events.append(event, on: db)
    }

    /// Records `PatientLeftUnseen` with the contact details follow-up calls back on.
    static func patientLeftUnseen(_ visit: VisitRecord, phone: String, at: Date, reason: String, by: String,
                                  on db: Connection) throws {
        var event = Clinic_Reception_V1_PatientLeftUnseen()
        event.visitID = visit.id.lowercasedText
        event.patientID = visit.patientID.lowercasedText
        event.patientName = visit.patientName
        event.phone = phone
        event.doctorID = visit.doctorID ?? ""
        event.checkedInAt = Google_Protobuf_Timestamp(date: visit.checkedInAt)
        event.leftAt = Google_Protobuf_Timestamp(date: at)
        event.waitedMinutes = Int32(max(0, at.timeIntervalSince(visit.queueCandidate.waitingSince) / 60))
        event.reason = reason
        event.recordedBy = by
        try ReceptionService.events.append(event, on: db)
    }

    /// Records `VisitEnded`.
    static func visitEnded(_ visit: VisitRecord, status: VisitStatus, at: Date, on db: Connection) throws {
        var event = Clinic_Reception_V1_VisitEnded()
        event.visitID = visit.id.lowercasedText
        event.patientID = visit.patientID.lowercasedText
        event.status = VisitMessages.status(status)
        event.endedAt = Google_Protobuf_Timestamp(date: at)
        try ReceptionService.events.append(event, on: db)
    }

    /// Records `WaitPromptDue` for a patient who reached a threshold.
    static func waitPromptDue(_ visit: VisitRecord, prompt: WaitPromptKind, thresholdMinutes: Int, on db: Connection) throws {
        var event = Clinic_Reception_V1_WaitPromptDue()
        event.visitID = visit.id.lowercasedText
        event.patientID = visit.patientID.lowercasedText
        event.doctorID = visit.doctorID ?? ""
        event.prompt = prompt == .offerNewTime ? .offerNewTime : .educate
        event.thresholdMinutes = Int32(thresholdMinutes)
        event.waitingSince = Google_Protobuf_Timestamp(date: visit.queueCandidate.waitingSince)
        try ReceptionService.events.append(event, on: db)
    }

    /// Records `PhoneConsultationRecorded` (a call back or appointment needed becomes a follow-up task).
    static func phoneConsultationRecorded(_ record: PhoneConsultationRecord, on db: Connection) throws {
        var event = Clinic_Reception_V1_PhoneConsultationRecorded()
        event.consultationID = record.id.lowercasedText
        event.callerName = record.callerName
        event.phone = record.phone
        event.patientID = record.patientID?.lowercasedText ?? ""
        event.question = record.question
        event.callBackNeeded = record.callBackNeeded
        event.appointmentNeeded = record.appointmentNeeded
        event.recordedAt = Google_Protobuf_Timestamp(date: record.recordedAt)
        event.recordedBy = record.recordedBy
        try ReceptionService.events.append(event, on: db)
    }
}

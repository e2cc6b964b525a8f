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

    /// Records `PatientCheckedIn` for a new arrival (scheduling marks the appointment arrived from it).
    static func patientCheckedIn(_ record: CheckInRecord, on db: Connection) throws {
        var event = Clinic_Reception_V1_PatientCheckedIn()
        event.checkInID = record.id.lowercasedText
        event.patientID = record.patientID.lowercasedText
        event.appointmentID = record.appointmentID?.lowercasedText ?? ""
        event.checkedInAt = Google_Protobuf_Timestamp(date: record.checkedInAt)
        try ReceptionService.events.append(event, on: db)
    }

}

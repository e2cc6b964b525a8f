import ClinicProto
import ClinicStore
import Foundation
import SwiftProtobuf

/// The events reception publishes, written to its outbox in the transaction that makes the change.
enum ReceptionEvents {
    /// Publisher name in event headers and checkpoints.
    static let publisher = "reception"

    /// Records `PatientRegistered` for a newly stored patient.
    static func patientRegistered(_ record: PatientRecord, on db: Connection) throws {
        var event = Clinic_Reception_V1_PatientRegistered()
        event.patientID = record.id.uuidString.lowercased()
        event.name = record.name
        event.gender = .init(rawValue: record.gender) ?? .unspecified
        event.birthDate = record.birthDate.description
        event.phone = record.phone
        event.sourceChannel = .init(rawValue: record.sourceChannel) ?? .unspecified
        try append(event, on: db)
    }

    /// Records `PatientUpdated` after a contact change.
    static func patientUpdated(_ record: PatientRecord, changedFields: [String], on db: Connection) throws {
        var event = Clinic_Reception_V1_PatientUpdated()
        event.patientID = record.id.uuidString.lowercased()
        event.changedFields = changedFields
        event.phone = record.phone
        event.address = record.address
        event.version = record.version
        try append(event, on: db)
    }

    /// Records `PatientCheckedIn` for a new arrival (scheduling marks the appointment arrived from it).
    static func patientCheckedIn(_ record: CheckInRecord, on db: Connection) throws {
        var event = Clinic_Reception_V1_PatientCheckedIn()
        event.checkInID = record.id.uuidString.lowercased()
        event.patientID = record.patientID.uuidString.lowercased()
        event.appointmentID = record.appointmentID?.uuidString.lowercased() ?? ""
        event.checkedInAt = Google_Protobuf_Timestamp(date: record.checkedInAt)
        try append(event, on: db)
    }

    private static func append<Event: SwiftProtobuf.Message>(_ event: Event, on db: Connection) throws {
        let name = Event.protoMessageName
        let shortName = name.split(separator: ".").last.map(String.init) ?? name
        try Outbox.append(topic: "clinic.\(publisher).\(shortName)", type: name, payload: try event.serializedBytes(), on: db)
    }
}

import ClinicStore
import Foundation

/// A patient's arrival at the desk as reception's `check_ins` table holds it.
struct CheckInRecord: Sendable, Equatable {
    var id: UUID
    var patientID: UUID
    /// Scheduling's appointment the patient came for; nil for a walk-in.
    var appointmentID: UUID?
    var checkedInAt: Date
    var checkedInBy: String
}

/// Reception's SQL for check-ins; each function takes the connection (usually inside the caller's transaction).
enum CheckInStore {
    static let columns = "id, patient_id, appointment_id, checked_in_at, checked_in_by"

    /// Records an arrival; nil when the appointment is checked in already (the partial unique index decides,
    /// so two desks checking in the same appointment at once cannot both succeed).
    static func insert(patientID: UUID, appointmentID: UUID?, checkedInBy: String, on db: Connection) throws -> CheckInRecord? {
        let rows = try db.query("""
            INSERT INTO check_ins (patient_id, appointment_id, checked_in_by)
            VALUES (\(patientID), \(appointmentID), \(checkedInBy))
            ON CONFLICT (appointment_id) WHERE appointment_id IS NOT NULL DO NOTHING
            RETURNING \(raw: columns)
            """)
        return try rows.first.map(record(from:))
    }

    /// The check-in already recorded for `appointmentID`, if any.
    static func find(appointmentID: UUID, on db: Connection) throws -> CheckInRecord? {
        try db.query("SELECT \(raw: columns) FROM check_ins WHERE appointment_id = \(appointmentID)").first.map(record(from:))
    }

    private static func record(from row: Row) throws -> CheckInRecord {
        CheckInRecord(id: try row.decode("id"), patientID: try row.decode("patient_id"),
                      appointmentID: try row.decode("appointment_id", as: UUID?.self),
                      checkedInAt: try row.decode("checked_in_at"), checkedInBy: try row.decode("checked_in_by"))
    }
}

import ClinicStore
import Foundation

/// Scheduling's projection of reception's patients (fed by events; scheduling never reads reception's tables).
enum PatientDirectory {
    /// Records or refreshes a patient seen in reception's events or replies.
    static func upsert(id: UUID, name: String, phone: String, on db: Connection) throws {
        try db.execute("""
            INSERT INTO patients (id, name, phone) VALUES (\(id), \(name), \(phone))
            ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name,
                phone = CASE WHEN EXCLUDED.phone = '' THEN patients.phone ELSE EXCLUDED.phone END, updated_at = now()
            """)
    }

    /// Changes a known patient's phone (PatientUpdated carries no name); unknown patients are left to a later look-up.
    static func updatePhone(id: UUID, phone: String, on db: Connection) throws {
        try db.execute("UPDATE patients SET phone = \(phone), updated_at = now() WHERE id = \(id)")
    }

    /// Whether the projection knows the patient.
    static func contains(_ id: UUID, on db: Connection) throws -> Bool {
        !(try db.query("SELECT 1 AS known FROM patients WHERE id = \(id)").isEmpty)
    }
}

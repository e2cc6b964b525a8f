import ClinicProto
import ClinicStore
import ClinicValues
import Foundation

/// A patient as follow-up knows them from reception's events.
struct PatientContact: Sendable, Equatable {
    var id: UUID?
    var name: String
    var phone: String
    var consultant: String = ""
}

/// A member of staff as follow-up knows them from clinic-staff's events.
struct StaffMemberRecord: Sendable, Equatable {
    var id: UUID
    var name: String
    var roles: [String]
    var doctorID: UUID?
    var active: Bool
}

/// Follow-up's copies of staff and patients, kept from the owners' events; never read from their schemas.
enum Directory {
    /// Stores a member as clinic-staff last described them (an older version never overwrites a newer one).
    static func save(_ member: Clinic_Staff_V1_StaffMember, on db: Connection) throws {
        guard let id = UUIDText.parse(member.id) else { return }
        try db.execute("""
            INSERT INTO staff_members (id, name, roles, team, doctor_id, active, version, left_at)
            VALUES (\(id), \(member.name), \(member.roles.map(\.name)), \(member.team), \(UUIDText.parse(member.doctorID)),
                    \(member.active), \(member.version), \(member.hasLeftAt ? member.leftAt.date : nil))
            ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, roles = EXCLUDED.roles, team = EXCLUDED.team,
                doctor_id = EXCLUDED.doctor_id, active = EXCLUDED.active, version = EXCLUDED.version, left_at = EXCLUDED.left_at
            WHERE staff_members.version <= EXCLUDED.version
            """)
    }

    /// Marks a member gone; the member's name, if known.
    static func deactivate(_ id: UUID, at: Date, on db: Connection) throws -> String? {
        try db.query("""
            UPDATE staff_members SET active = false, left_at = COALESCE(left_at, \(at)) WHERE id = \(id) RETURNING name
            """).first?.decode("name")
    }

    /// The member `id`.
    static func member(_ id: UUID, on db: Connection) throws -> StaffMemberRecord? {
        try db.query("SELECT id, name, roles, doctor_id, active FROM staff_members WHERE id = \(id)").first.map(decodeMember)
    }

    /// The active member who is scheduling's doctor `doctorID`.
    static func member(forDoctor doctorID: UUID, on db: Connection) throws -> StaffMemberRecord? {
        try db.query("""
            SELECT id, name, roles, doctor_id, active FROM staff_members WHERE doctor_id = \(doctorID) AND active ORDER BY id LIMIT 1
            """).first.map(decodeMember)
    }

    /// The active consultant a patient's record names (by name or account-free display name).
    static func consultant(named name: String, on db: Connection) throws -> StaffMemberRecord? {
        guard !name.isEmpty else { return nil }
        return try db.query("""
            SELECT id, name, roles, doctor_id, active FROM staff_members
            WHERE active AND name = \(name) AND 'consultant' = ANY(roles) ORDER BY id LIMIT 1
            """).first.map(decodeMember)
    }

    /// Stores a patient as reception described them; a later update keeps what it did not change.
    static func savePatient(_ patient: PatientContact, at: Date, on db: Connection) throws {
        guard let id = patient.id else { return }
        try db.execute("""
            INSERT INTO patients (id, name, phone, consultant, updated_at)
            VALUES (\(id), \(patient.name), \(patient.phone), \(patient.consultant), \(at))
            ON CONFLICT (id) DO UPDATE SET
                name = CASE WHEN EXCLUDED.name <> '' THEN EXCLUDED.name ELSE patients.name END,
                phone = CASE WHEN EXCLUDED.phone <> '' THEN EXCLUDED.phone ELSE patients.phone END,
                consultant = CASE WHEN EXCLUDED.consultant <> '' THEN EXCLUDED.consultant ELSE patients.consultant END,
                updated_at = EXCLUDED.updated_at
            """)
        // What was planned or queued before the registration arrived gets the name and number now.
        guard !patient.phone.isEmpty || !patient.name.isEmpty else { return }
        try db.execute("""
            UPDATE tasks SET phone = CASE WHEN phone = '' THEN \(patient.phone) ELSE phone END,
                             patient_name = CASE WHEN patient_name = '' THEN \(patient.name) ELSE patient_name END
            WHERE patient_id = \(id) AND status = 'open' AND (phone = '' OR patient_name = '')
            """)
        if !patient.phone.isEmpty {
            try db.execute("""
                UPDATE messages SET recipient = \(patient.phone) WHERE patient_id = \(id) AND recipient = '' AND status = 'queued'
                """)
        }
    }

    /// The patient `id`, if reception told of them.
    static func patient(_ id: UUID, on db: Connection) throws -> PatientContact? {
        try db.query("SELECT id, name, phone, consultant FROM patients WHERE id = \(id)").first.map { row in
            PatientContact(id: try row.decode("id"), name: try row.decode("name"), phone: try row.decode("phone"),
                           consultant: try row.decode("consultant"))
        }
    }

    /// Decodes a member row.
    private static func decodeMember(_ row: Row) throws -> StaffMemberRecord {
        StaffMemberRecord(id: try row.decode("id"), name: try row.decode("name"), roles: try row.decode("roles"),
                          doctorID: try row.decode("doctor_id"), active: try row.decode("active"))
    }
}

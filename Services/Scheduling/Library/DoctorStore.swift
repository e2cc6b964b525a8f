import ClinicStore
import Foundation

/// SQL for doctors and chairs.
enum DoctorStore {
    static let doctorColumns = "id, name, specialty, gender, title, active, created_at"
    static let chairColumns = "id, name, room, active, created_at"

    static func insertDoctor(name: String, specialty: String, gender: Int, title: String, on db: Connection) throws -> DoctorRecord {
        try doctor(try db.query("""
            INSERT INTO doctors (name, specialty, gender, title) VALUES (\(name), \(specialty), \(gender), \(title))
            RETURNING \(raw: doctorColumns)
            """)[0])
    }

    static func doctor(_ id: UUID, forUpdate: Bool = false, on db: Connection) throws -> DoctorRecord? {
        try db.query("SELECT \(raw: doctorColumns) FROM doctors WHERE id = \(id) \(raw: forUpdate ? "FOR UPDATE" : "")")
            .first.map(doctor)
    }

    static func updateDoctor(_ record: DoctorRecord, on db: Connection) throws -> DoctorRecord {
        try doctor(try db.query("""
            UPDATE doctors SET name = \(record.name), specialty = \(record.specialty), gender = \(record.gender),
                   title = \(record.title), active = \(record.active), updated_at = now()
            WHERE id = \(record.id) RETURNING \(raw: doctorColumns)
            """)[0])
    }

    /// Doctors by name; of one specialty (case-insensitive) when given; inactive ones only when asked.
    static func doctors(specialty: String?, includeInactive: Bool, on db: Connection) throws -> [DoctorRecord] {
        try db.query("""
            SELECT \(raw: doctorColumns) FROM doctors
            WHERE (\(specialty)::text IS NULL OR lower(specialty) = lower(\(specialty)))
              AND (active OR \(includeInactive))
            ORDER BY name, id
            """).map(doctor)
    }

    static func insertChair(name: String, room: String, on db: Connection) throws -> ChairRecord {
        try chair(try db.query("INSERT INTO chairs (name, room) VALUES (\(name), \(room)) RETURNING \(raw: chairColumns)")[0])
    }

    static func chair(_ id: UUID, on db: Connection) throws -> ChairRecord? {
        try db.query("SELECT \(raw: chairColumns) FROM chairs WHERE id = \(id)").first.map(chair)
    }

    static func updateChair(_ record: ChairRecord, on db: Connection) throws -> ChairRecord {
        try chair(try db.query("""
            UPDATE chairs SET name = \(record.name), room = \(record.room), active = \(record.active), updated_at = now()
            WHERE id = \(record.id) RETURNING \(raw: chairColumns)
            """)[0])
    }

    static func chairs(includeInactive: Bool, on db: Connection) throws -> [ChairRecord] {
        try db.query("SELECT \(raw: chairColumns) FROM chairs WHERE active OR \(includeInactive) ORDER BY name, id").map(chair)
    }

    private static func doctor(_ row: Row) throws -> DoctorRecord {
        DoctorRecord(id: try row.decode("id"), name: try row.decode("name"), specialty: try row.decode("specialty"),
                     gender: try row.decode("gender"), title: try row.decode("title"), active: try row.decode("active"),
                     createdAt: try row.decode("created_at"))
    }

    private static func chair(_ row: Row) throws -> ChairRecord {
        ChairRecord(id: try row.decode("id"), name: try row.decode("name"), room: try row.decode("room"),
                    active: try row.decode("active"), createdAt: try row.decode("created_at"))
    }
}

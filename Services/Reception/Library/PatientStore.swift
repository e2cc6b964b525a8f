import ClinicService
import ClinicStore
import Foundation

/// Reception's SQL: every query against the patients tables, readable as SQL.
/// Each function takes the connection (often inside the caller's transaction).
enum PatientStore {
    static let columns = """
        id, name, gender, birth_date::text AS birth_date, phone, national_id, address, allergies, medical_history,
        contraindications, source_channel, referrer, preferred_doctor_id, preferred_doctor_gender, consultant,
        vip, notes, created_at, updated_at, version
        """

    /// The id of a likely duplicate: same phone, or same name and birth date.
    static func findDuplicate(of patient: ValidPatient, on db: Connection) throws -> UUID? {
        let rows = try db.query("""
            SELECT id FROM patients
            WHERE phone = \(patient.phone.digits)
               OR (lower(name) = lower(\(patient.name)) AND birth_date = \(patient.birthDate.description)::date)
            ORDER BY created_at LIMIT 1
            """)
        return try rows.first?.decode("id", as: UUID.self)
    }

    /// The id of another patient holding `phone`, if any.
    static func findPhoneOwner(_ phone: MobileNumber, excluding id: UUID, on db: Connection) throws -> UUID? {
        let rows = try db.query("SELECT id FROM patients WHERE phone = \(phone.digits) AND id <> \(id)")
        return try rows.first?.decode("id", as: UUID.self)
    }

    /// Inserts a validated patient under `id` together with its outbox event, in one statement; returns the
    /// stored record. A duplicate phone, name + birth date or national ID fails with a unique violation.
    static func insert(_ patient: ValidPatient, id: UUID, details: PatientDetails, createdBy: String,
                       event: OutboxEntry, on db: Connection) throws -> PatientRecord {
        let rows = try db.query("""
            WITH inserted AS (
                INSERT INTO patients (id, name, gender, birth_date, phone, national_id, address, allergies, medical_history,
                    contraindications, source_channel, referrer, preferred_doctor_id, preferred_doctor_gender, consultant,
                    vip, notes, created_by)
                VALUES (\(id), \(patient.name), \(details.gender), \(patient.birthDate.description)::date, \(patient.phone.digits),
                    \(patient.nationalID), \(details.address), \(details.allergies), \(details.medicalHistory),
                    \(details.contraindications), \(details.sourceChannel), \(details.referrer), \(details.preferredDoctorID),
                    \(details.preferredDoctorGender), \(details.consultant), \(details.vip), \(details.notes), \(createdBy))
                RETURNING \(raw: columns)
            ), event AS (
                INSERT INTO outbox (topic, type, payload) SELECT \(event.topic), \(event.type), \(event.payload) FROM inserted
            )
            SELECT * FROM inserted
            """)
        guard let row = rows.first else { throw StoreError(kind: .query, message: "INSERT … RETURNING gave no row") }
        return try record(from: row)
    }

    /// Whether a patient with `id` is on file (no access-log entry: only the id is looked at).
    static func exists(_ id: UUID, on db: Connection) throws -> Bool {
        try !db.query("SELECT 1 AS found FROM patients WHERE id = \(id)").isEmpty
    }

    /// The patient with `id`, optionally locked for update.
    static func find(_ id: UUID, forUpdate: Bool = false, on db: Connection) throws -> PatientRecord? {
        let lock = forUpdate ? "FOR UPDATE" : ""
        return try db.query("SELECT \(raw: columns) FROM patients WHERE id = \(id) \(raw: lock)").first.map(record(from:))
    }

    /// One read of a full record: which patient, and who reads it in what roles and why (for the access log).
    struct LoggedRead {
        var patientID: UUID
        var reader: String
        var role: String
        var reason: String
    }

    /// Reads the full records of `reads` and writes one access-log entry per read of a record on file, all in one
    /// statement and one round trip; returns the records found, by id. The log entries commit asynchronously (an
    /// audit trail, not a money movement: PostgreSQL still makes them durable within a fraction of a second), so
    /// reads do not wait for a disk flush.
    static func readLogged(_ reads: [LoggedRead], on db: Connection) throws -> [UUID: PatientRecord] {
        let ids = reads.map(\.patientID)
        return try byID(db.query("""
            WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true)),
            logged AS (\(raw: Self.logInsert)
                SELECT p.id, r.accessed_by, r.role, r.reason
                FROM unnest(\(ids), \(reads.map(\.reader)), \(reads.map(\.role)), \(reads.map(\.reason)))
                     AS r(patient_id, accessed_by, role, reason)
                JOIN patients p ON p.id = r.patient_id
            )
            SELECT \(raw: columns) FROM patients, async_commit WHERE id = ANY(\(ids))
            """))
    }

    /// The records with `ids` on file, by id (no access-log entry: `log` writes those of the reads that show
    /// protected fields).
    static func find(_ ids: [UUID], on db: Connection) throws -> [UUID: PatientRecord] {
        try byID(db.query("SELECT \(raw: columns) FROM patients WHERE id = ANY(\(ids))"))
    }

    /// Writes one access-log entry per read, asynchronously committed as `readLogged`'s are.
    static func log(_ reads: [LoggedRead], on db: Connection) throws {
        try db.execute("""
            WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true))\(raw: Self.logInsert)
            SELECT r.patient_id, r.accessed_by, r.role, r.reason
            FROM unnest(\(reads.map(\.patientID)), \(reads.map(\.reader)), \(reads.map(\.role)), \(reads.map(\.reason)))
                 AS r(patient_id, accessed_by, role, reason), async_commit
            """)
    }

    private static let logInsert = "\n    INSERT INTO patient_access_log (patient_id, accessed_by, role, reason)"

    private static func byID(_ rows: [Row]) throws -> [UUID: PatientRecord] {
        var found: [UUID: PatientRecord] = [:]
        for row in rows {
            let record = try record(from: row)
            found[record.id] = record
        }
        return found
    }

    /// One page of a patient's access log, newest first.
    static func accessLog(of id: UUID, limit: Int, offset: Int, on db: Connection) throws -> [AccessLogEntry] {
        try db.query("""
            SELECT accessed_by, role, reason, accessed_at FROM patient_access_log WHERE patient_id = \(id)
            ORDER BY accessed_at DESC, id DESC LIMIT \(limit) OFFSET \(offset)
            """).map { row in
            AccessLogEntry(accessedBy: try row.decode("accessed_by"), roles: try row.decode("role", as: String.self),
                           reason: try row.decode("reason"), accessedAt: try row.decode("accessed_at"))
        }
    }

    /// How many times a patient's full record was read (for audits and tests).
    static func accessCount(_ id: UUID, on db: Connection) throws -> Int {
        try db.query("SELECT count(*) AS n FROM patient_access_log WHERE patient_id = \(id)").first?.decode("n", as: Int.self) ?? 0
    }

    /// Patients whose phone starts with `digits`, or whose name starts with `name`, in a stable order.
    ///
    /// A prefix is looked up as a range of the `text_pattern_ops` index, from the prefix itself up to the prefix
    /// followed by U+10FFFF (a noncharacter, so no real text continues past it); `LIKE` then checks each row.
    /// A range bound to parameters uses the index in a generic plan, which a `LIKE` on a parameter does not.
    static func search(phonePrefix digits: String?, namePrefix name: String?, limit: Int, offset: Int,
                       on db: Connection) throws -> [PatientListing] {
        let rows: [Row]
        if let digits {
            rows = try db.query("""
                SELECT id, name, gender, birth_date::text AS birth_date, phone, vip FROM patients
                WHERE phone ~>=~ \(digits) AND phone ~<~ \(digits + Self.pastEveryCharacter)
                  AND phone LIKE \(likePrefix(digits))
                ORDER BY phone, id LIMIT \(limit) OFFSET \(offset)
                """)
        } else {
            let name = name ?? ""
            rows = try db.query("""
                SELECT id, name, gender, birth_date::text AS birth_date, phone, vip FROM patients
                WHERE lower(name) ~>=~ lower(\(name)) AND lower(name) ~<~ (lower(\(name)) || \(Self.pastEveryCharacter))
                  AND lower(name) LIKE lower(\(likePrefix(name)))
                ORDER BY lower(name), id LIMIT \(limit) OFFSET \(offset)
                """)
        }
        return try rows.map { row in
            PatientListing(
                id: try row.decode("id"), name: try row.decode("name"), gender: try row.decode("gender"),
                birthDate: try calendarDate(row.decode("birth_date")),
                phoneMasked: MobileNumber.mask(try row.decode("phone", as: String.self)), vip: try row.decode("vip"))
        }
    }

    /// Applies contact changes, bumps the version and keeps each old value in the history.
    static func applyContactChanges(_ changes: [(field: String, old: String, new: String)], to id: UUID,
                                    update: ContactUpdate, on db: Connection) throws -> PatientRecord {
        for change in changes {
            try db.execute("""
                INSERT INTO patient_contact_changes (patient_id, field, old_value, new_value, changed_by, reason)
                VALUES (\(id), \(change.field), \(change.old), \(change.new), \(update.changedBy), \(update.reason))
                """)
        }
        let rows = try db.query("""
            UPDATE patients SET
                phone = COALESCE(\(update.phone?.digits), phone),
                address = COALESCE(\(update.address), address),
                updated_at = now(), version = version + 1
            WHERE id = \(id)
            RETURNING \(raw: columns)
            """)
        guard let row = rows.first else { throw StoreError(kind: .query, message: "UPDATE … RETURNING gave no row") }
        return try record(from: row)
    }

    /// A patient's contact history, newest first.
    static func contactChanges(of id: UUID, on db: Connection) throws -> [ContactChangeRecord] {
        try db.query("""
            SELECT field, old_value, new_value, changed_by, reason, changed_at
            FROM patient_contact_changes WHERE patient_id = \(id) ORDER BY id DESC
            """).map { row in
            ContactChangeRecord(field: try row.decode("field"), oldValue: try row.decode("old_value"),
                                newValue: try row.decode("new_value"), changedBy: try row.decode("changed_by"),
                                reason: try row.decode("reason"), changedAt: try row.decode("changed_at"))
        }
    }

    /// Sorts after every character a name or phone number holds: the end of a prefix range.
    static let pastEveryCharacter = "\u{10FFFF}"

    /// `text%` with LIKE's own wildcards escaped, so a typed `%` or `_` matches literally.
    static func likePrefix(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "\\" || character == "%" || character == "_" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped + "%"
    }

    private static func record(from row: Row) throws -> PatientRecord {
        PatientRecord(
            id: try row.decode("id"), name: try row.decode("name"), gender: try row.decode("gender"),
            birthDate: try calendarDate(row.decode("birth_date")), phone: try row.decode("phone"),
            nationalID: try row.decode("national_id"), address: try row.decode("address"),
            allergies: try row.decode("allergies"), medicalHistory: try row.decode("medical_history"),
            contraindications: try row.decode("contraindications"), sourceChannel: try row.decode("source_channel"),
            referrer: try row.decode("referrer"), preferredDoctorID: try row.decode("preferred_doctor_id"),
            preferredDoctorGender: try row.decode("preferred_doctor_gender"), consultant: try row.decode("consultant"),
            vip: try row.decode("vip"), notes: try row.decode("notes"), createdAt: try row.decode("created_at"),
            updatedAt: try row.decode("updated_at"), version: try row.decode("version"))
    }

    private static func calendarDate(_ text: String) throws -> ClinicDate {
        guard let date = ClinicDate(iso: text) else { throw StoreError(kind: .decoding, message: "birth_date is not YYYY-MM-DD") }
        return date
    }
}

/// The optional fields of a registration, already checked for range.
struct PatientDetails: Sendable {
    var gender: Int
    var address: String
    var allergies: [String]
    var medicalHistory: [String]
    var contraindications: String
    var sourceChannel: Int
    var referrer: String
    var preferredDoctorID: String
    var preferredDoctorGender: Int
    var consultant: String
    var vip: Bool
    var notes: String
}

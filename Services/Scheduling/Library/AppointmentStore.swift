import ClinicService
import ClinicStore
import Foundation

/// SQL for the appointment book.
enum AppointmentStore {
    /// `status IN (…)` for the statuses that hold a slot.
    static let activeStatuses = "('booked', 'confirmed', 'arrived', 'in_treatment', 'completed')"

    static let selectRecord = """
        SELECT a.id, a.patient_id, a.prospect_name, a.prospect_phone, a.prospect_age, a.prospect_gender, a.doctor_id,
               a.chair_id, a.start_time, a.end_time, a.duration_minutes, a.procedure, a.source, a.notes, a.status,
               a.cancel_reason, a.rescheduled_to_id, a.rescheduled_from_id, a.booked_by, a.arrived_at, a.created_at,
               a.updated_at, a.version, d.name AS doctor_name, coalesce(c.name, '') AS chair_name,
               coalesce(p.name, a.prospect_name) AS patient_name
        FROM appointments a
        JOIN doctors d ON d.id = a.doctor_id
        LEFT JOIN chairs c ON c.id = a.chair_id
        LEFT JOIN patients p ON p.id = a.patient_id
        """

    static func find(_ id: UUID, forUpdate: Bool = false, on db: Connection) throws -> AppointmentRecord? {
        try db.query("\(raw: selectRecord) WHERE a.id = \(id) \(raw: forUpdate ? "FOR UPDATE OF a" : "")").first.map(record)
    }

    /// Inserts a booked appointment; a 23P01 (overlap) is turned into ALREADY_EXISTS naming the appointment
    /// it collides with, found after rolling back to a savepoint (the transaction stays usable until then).
    static func insert(_ booking: ValidBooking, source: Int, bookedBy: String, rescheduledFrom: UUID? = nil,
                       on db: Connection) throws -> UUID {
        var prospect = ProspectDraft(name: "", phone: "", age: 0)
        var patientID: UUID?
        switch booking.party {
        case .patient(let id): patientID = id
        case .prospect(let draft): prospect = draft
        }
        try db.execute("SAVEPOINT booking")
        do {
            let rows = try db.query("""
                INSERT INTO appointments (patient_id, prospect_name, prospect_phone, prospect_age, prospect_gender, doctor_id,
                    chair_id, start_time, end_time, duration_minutes, procedure, source, notes, booked_by, rescheduled_from_id)
                VALUES (\(patientID), \(prospect.name), \(prospect.phone), \(prospect.age), \(prospect.gender), \(booking.doctorID),
                    \(booking.chairID), \(booking.span.start), \(booking.span.end), \(booking.durationMinutes), \(booking.procedure),
                    \(source), \(booking.notes), \(bookedBy), \(rescheduledFrom))
                RETURNING id
                """)
            try db.execute("RELEASE SAVEPOINT booking")
            return try rows[0].decode("id")
        } catch let error as StoreError where error.isExclusionViolation {
            try db.execute("ROLLBACK TO SAVEPOINT booking")
            let byChair = error.constraint == "appointments_chair_no_overlap"
            let winner = try conflicting(doctor: byChair ? nil : booking.doctorID, chair: byChair ? booking.chairID : nil,
                                         span: booking.span, on: db)
            throw SlotTaken(appointmentID: winner, byChair: byChair)
        }
    }

    /// The active appointment of `doctor` (or of `chair`) overlapping `span`, if any.
    static func conflicting(doctor: UUID?, chair: UUID?, span: TimeSpan, on db: Connection) throws -> UUID? {
        try db.query("""
            SELECT id FROM appointments
            WHERE (doctor_id = \(doctor) OR chair_id = \(chair)) AND status IN \(raw: activeStatuses)
              AND tstzrange(start_time, end_time) && tstzrange(\(span.start), \(span.end))
            ORDER BY start_time LIMIT 1
            """).first?.decode("id", as: UUID.self)
    }

    /// Moves an appointment to `status`, bumping its version; optional fields change only when given.
    static func update(_ id: UUID, status: AppointmentStatus, cancelReason: String? = nil, arrivedAt: Date? = nil,
                       rescheduledTo: UUID? = nil, notes: String? = nil, on db: Connection) throws {
        try db.execute("""
            UPDATE appointments SET status = \(status.rawValue), cancel_reason = coalesce(\(cancelReason), cancel_reason),
                   arrived_at = coalesce(\(arrivedAt), arrived_at), rescheduled_to_id = coalesce(\(rescheduledTo), rescheduled_to_id),
                   notes = coalesce(\(notes), notes), updated_at = now(), version = version + 1
            WHERE id = \(id)
            """)
    }

    /// Active appointments of `doctor` overlapping `span`, in time order.
    static func active(doctor: UUID, overlapping span: TimeSpan, on db: Connection) throws -> [AppointmentRecord] {
        // Appointments last at most 8 hours, which bounds the index range scan on (doctor_id, start_time).
        try db.query("""
            \(raw: selectRecord)
            WHERE a.doctor_id = \(doctor) AND a.start_time < \(span.end) AND a.start_time > \(span.start.addingTimeInterval(-8 * 3600))
              AND a.end_time > \(span.start) AND a.status IN \(raw: activeStatuses)
            ORDER BY a.start_time
            """).map(record)
    }

    /// Busy spans of active appointments of `doctors` (keyed by doctor) in `window`.
    static func busyByDoctor(_ doctors: [UUID], in window: TimeSpan, on db: Connection) throws -> [UUID: [TimeSpan]] {
        var busy: [UUID: [TimeSpan]] = [:]
        for row in try db.query("""
            SELECT doctor_id, extract(epoch FROM start_time)::float8 AS starts, extract(epoch FROM end_time)::float8 AS ends
            FROM appointments
            WHERE doctor_id = ANY(\(doctors))
              AND start_time < \(window.end) AND start_time > \(window.start.addingTimeInterval(-8 * 3600))
              AND end_time > \(window.start) AND status IN \(raw: activeStatuses)
            """) {
            // Epoch seconds parse far faster than timestamp text, and a specialty search reads hundreds of rows.
            busy[try row.decode("doctor_id", as: UUID.self), default: []]
                .append(TimeSpan(start: Date(timeIntervalSince1970: try row.decode("starts", as: Double.self)),
                                 end: Date(timeIntervalSince1970: try row.decode("ends", as: Double.self))))
        }
        return busy
    }

    /// Busy spans of active appointments in `chair` in `window`.
    static func busy(chair: UUID, in window: TimeSpan, on db: Connection) throws -> [TimeSpan] {
        try db.query("""
            SELECT start_time, end_time FROM appointments
            WHERE chair_id = \(chair) AND start_time < \(window.end) AND start_time > \(window.start.addingTimeInterval(-8 * 3600))
              AND end_time > \(window.start) AND status IN \(raw: activeStatuses)
            """).map { TimeSpan(start: try $0.decode("start_time"), end: try $0.decode("end_time")) }
    }

    /// A day's book: appointments starting in `span`, optionally of one doctor or chair, in start order.
    static func day(_ span: TimeSpan, doctor: UUID?, chair: UUID?, includeInactive: Bool, on db: Connection) throws -> [AppointmentRecord] {
        try db.query("""
            \(raw: selectRecord)
            WHERE a.start_time >= \(span.start) AND a.start_time < \(span.end)
              AND (\(doctor)::uuid IS NULL OR a.doctor_id = \(doctor)) AND (\(chair)::uuid IS NULL OR a.chair_id = \(chair))
              AND (\(includeInactive) OR a.status NOT IN ('cancelled', 'rescheduled'))
            ORDER BY a.start_time, d.name
            """).map(record)
    }

    /// A patient's appointments starting at or after `now` (soonest first) or before it (newest first).
    static func ofPatient(_ patient: UUID, upcoming: Bool, now: Date, limit: Int, on db: Connection) throws -> [AppointmentRecord] {
        let sql: SQL = upcoming
            ? "\(raw: selectRecord) WHERE a.patient_id = \(patient) AND a.start_time >= \(now) ORDER BY a.start_time LIMIT \(limit)"
            : "\(raw: selectRecord) WHERE a.patient_id = \(patient) AND a.start_time < \(now) ORDER BY a.start_time DESC LIMIT \(limit)"
        return try db.query(sql).map(record)
    }

    /// Marks up to `limit` appointments still waiting `grace` after their start as no-shows; returns their ids.
    /// The row lock and the re-checked status make two sweepers running at once take each row once.
    static func markNoShows(graceMinutes: Int, limit: Int, on db: Connection) throws -> [UUID] {
        try db.query("""
            UPDATE appointments SET status = 'no_show', updated_at = now(), version = version + 1
            WHERE id IN (
                SELECT id FROM appointments
                WHERE status IN ('booked', 'confirmed') AND start_time < now() - make_interval(mins => \(Int32(graceMinutes)))
                ORDER BY start_time LIMIT \(limit)
                FOR UPDATE SKIP LOCKED)
              AND status IN ('booked', 'confirmed')
            RETURNING id
            """).map { try $0.decode("id", as: UUID.self) }
    }

    static func addConfirmation(_ confirmation: ConfirmationRecord, on db: Connection) throws {
        try db.execute("""
            INSERT INTO confirmations (appointment_id, channel, confirmed_at, confirmed_by, note)
            VALUES (\(confirmation.appointmentID), \(confirmation.channel), \(confirmation.confirmedAt),
                    \(confirmation.confirmedBy), \(confirmation.note))
            """)
    }

    /// Confirmations of the given appointments, oldest first, keyed by appointment.
    static func confirmations(of ids: [UUID], on db: Connection) throws -> [UUID: [ConfirmationRecord]] {
        guard !ids.isEmpty else { return [:] }
        var result: [UUID: [ConfirmationRecord]] = [:]
        for row in try db.query("""
            SELECT appointment_id, channel, confirmed_at, confirmed_by, note FROM confirmations
            WHERE appointment_id = ANY(\(ids)) ORDER BY id
            """) {
            let record = ConfirmationRecord(appointmentID: try row.decode("appointment_id"), channel: try row.decode("channel"),
                                            confirmedAt: try row.decode("confirmed_at"), confirmedBy: try row.decode("confirmed_by"),
                                            note: try row.decode("note"))
            result[record.appointmentID, default: []].append(record)
        }
        return result
    }

    private static func record(_ row: Row) throws -> AppointmentRecord {
        let patientID = try row.decode("patient_id", as: UUID?.self)
        let statusText = try row.decode("status", as: String.self)
        guard let status = AppointmentStatus(rawValue: statusText) else {
            throw StoreError(kind: .decoding, message: "appointments.status \(statusText) is not a known status")
        }
        return AppointmentRecord(
            id: try row.decode("id"), patientID: patientID,
            prospect: patientID == nil
                ? ProspectDraft(name: try row.decode("prospect_name"), phone: try row.decode("prospect_phone"),
                                age: try row.decode("prospect_age"), gender: try row.decode("prospect_gender"))
                : nil,
            doctorID: try row.decode("doctor_id"), chairID: try row.decode("chair_id"),
            span: TimeSpan(start: try row.decode("start_time"), end: try row.decode("end_time")),
            durationMinutes: try row.decode("duration_minutes"), procedure: try row.decode("procedure"),
            source: try row.decode("source"), notes: try row.decode("notes"), status: status,
            cancelReason: try row.decode("cancel_reason"), rescheduledToID: try row.decode("rescheduled_to_id"),
            rescheduledFromID: try row.decode("rescheduled_from_id"), bookedBy: try row.decode("booked_by"),
            arrivedAt: try row.decode("arrived_at"), createdAt: try row.decode("created_at"),
            updatedAt: try row.decode("updated_at"), version: try row.decode("version"),
            doctorName: try row.decode("doctor_name"), chairName: try row.decode("chair_name"),
            patientName: try row.decode("patient_name", as: String?.self) ?? "")
    }
}

/// A booking that lost the race for its slot (or overlaps an existing booking): names the appointment it hit.
struct SlotTaken: Error {
    /// The active appointment holding the slot (nil if it was freed again in the meantime).
    var appointmentID: UUID?
    /// Whether the chair, rather than the doctor, was taken.
    var byChair: Bool
}

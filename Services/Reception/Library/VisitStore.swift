import ClinicService
import ClinicStore
import ClinicValues
import Foundation

/// Reception's SQL for visits, their steps, treatments and queue moves; each function takes the connection
/// (usually inside the caller's transaction).
enum VisitStore {
    /// The statuses of a visit that is not yet treated: one per patient at a time, and what the queue shows.
    static let openStatuses = "('checked_in', 'waiting', 'in_treatment')"

    static let columns = """
        v.id, v.patient_id, p.name AS patient_name, v.appointment_id, v.appointment_start, v.kind, v.suggested_kind,
        v.kind_override_reason, v.status, v.doctor_id, v.doctor_name, v.assignment, v.assignment_note,
        v.covering_for_doctor_id, v.covering_for_doctor_name, v.requested_doctor_gender, v.teeth::text[] AS teeth,
        v.complaint, v.called_ahead, v.checked_in_at, v.checked_in_by, v.treatment_started_at, v.treatment_done_at,
        v.paid_at, v.left_at, v.leave_reason, v.bill_id, v.moved_priority, v.moved_time, v.moved_tie_break,
        v.move_reason, v.version
        """

    /// Stores a new visit with its first steps (checked in, and waiting when a doctor was given).
    static func insert(_ visit: NewVisit, on db: Connection) throws {
        let teeth = visit.teeth.map(\.description)
        try db.execute("""
            INSERT INTO visits (id, patient_id, appointment_id, appointment_start, kind, suggested_kind, kind_override_reason,
                status, doctor_id, doctor_name, assignment, assignment_note, requested_doctor_gender, teeth, complaint,
                called_ahead, checked_in_at, checked_in_by)
            VALUES (\(visit.id), \(visit.patientID), \(visit.appointmentID), \(visit.appointmentStart), \(visit.kind.rawValue),
                \(visit.suggestedKind.rawValue), \(visit.kindOverrideReason), \(visit.status.rawValue), \(visit.doctor?.id),
                \(visit.doctor?.name ?? ""), \(visit.assignment), \(visit.assignmentNote), \(visit.requestedDoctorGender),
                \(teeth)::smallint[], \(visit.complaint), \(visit.calledAhead), \(visit.checkedInAt), \(visit.checkedInBy))
            """)
        try addStep(visit.id, .checkedIn, at: visit.checkedInAt, by: visit.checkedInBy,
                    note: visit.kindOverrideReason.isEmpty ? "" : "kind \(visit.kind.rawValue): \(visit.kindOverrideReason)", on: db)
        if visit.status == .waiting {
            try addStep(visit.id, .waiting, at: visit.checkedInAt, by: visit.checkedInBy, note: visit.assignment, on: db)
        }
    }

    /// Records one step of a visit.
    static func addStep(_ visitID: UUID, _ status: VisitStatus, at: Date, by: String, note: String = "", on db: Connection) throws {
        try db.execute("""
            INSERT INTO visit_steps (visit_id, status, at, by, note) VALUES (\(visitID), \(status.rawValue), \(at), \(by), \(note))
            """)
    }

    /// The visit with `id`, optionally locked for update.
    static func find(_ id: UUID, forUpdate: Bool = false, on db: Connection) throws -> VisitRecord? {
        let lock = forUpdate ? "FOR UPDATE OF v" : ""
        return try db.query("""
            SELECT \(raw: columns) FROM visits v JOIN patients p ON p.id = v.patient_id WHERE v.id = \(id) \(raw: lock)
            """).first.map(record(from:))
    }

    /// The patient's visit not yet treated, if any.
    static func openVisit(of patientID: UUID, on db: Connection) throws -> UUID? {
        try db.query("SELECT id FROM visits WHERE patient_id = \(patientID) AND status IN \(raw: openStatuses)")
            .first?.decode("id", as: UUID.self)
    }

    /// The visit started for an appointment, if any.
    static func visit(forAppointment appointmentID: UUID, on db: Connection) throws -> UUID? {
        try db.query("SELECT id FROM visits WHERE appointment_id = \(appointmentID)").first?.decode("id", as: UUID.self)
    }

    /// Visits checked in during `span`, optionally of one patient, doctor or status, oldest first.
    static func list(in span: TimeSpan, patientID: UUID?, doctorID: String?, status: VisitStatus?, limit: Int, offset: Int,
                     on db: Connection) throws -> [VisitRecord] {
        try db.query("""
            SELECT \(raw: columns) FROM visits v JOIN patients p ON p.id = v.patient_id
            WHERE v.checked_in_at >= \(span.start) AND v.checked_in_at < \(span.end)
              AND (\(patientID)::uuid IS NULL OR v.patient_id = \(patientID))
              AND (\(doctorID)::text IS NULL OR v.doctor_id = \(doctorID))
              AND (\(status?.rawValue)::text IS NULL OR v.status = \(status?.rawValue))
            ORDER BY v.checked_in_at, v.id LIMIT \(limit) OFFSET \(offset)
            """).map(record(from:))
    }

    /// The steps of `ids`' visits, oldest first, by visit.
    static func steps(of ids: [UUID], on db: Connection) throws -> [UUID: [VisitStepRecord]] {
        var found: [UUID: [VisitStepRecord]] = [:]
        for row in try db.query("SELECT visit_id, status, at, by, note FROM visit_steps WHERE visit_id = ANY(\(ids)) ORDER BY id") {
            let step = VisitStepRecord(visitID: try row.decode("visit_id"),
                                       status: VisitStatus(rawValue: try row.decode("status")) ?? .checkedIn,
                                       at: try row.decode("at"), by: try row.decode("by"), note: try row.decode("note"))
            found[step.visitID, default: []].append(step)
        }
        return found
    }

    /// The treatments of `ids`' visits, in the order given, by visit.
    static func treatments(of ids: [UUID], on db: Connection) throws -> [UUID: [TreatmentRecord]] {
        var found: [UUID: [TreatmentRecord]] = [:]
        for row in try db.query("""
            SELECT visit_id, kind, teeth::text[] AS teeth, fee_codes, notes FROM visit_treatments
            WHERE visit_id = ANY(\(ids)) ORDER BY id
            """) {
            let treatment = TreatmentRecord(kind: TreatmentKind(rawValue: try row.decode("kind")) ?? .other,
                                            teeth: try teeth(row.decode("teeth")), feeCodes: try row.decode("fee_codes"),
                                            notes: try row.decode("notes"))
            found[try row.decode("visit_id"), default: []].append(treatment)
        }
        return found
    }

    /// The patient's treatments here, newest first (the first-visit rule and the original doctor read them).
    static func history(of patientID: UUID, clock: ClinicClock, on db: Connection) throws -> [PastTreatment] {
        try db.query("""
            SELECT done_at, kind, teeth::text[] AS teeth, doctor_id, doctor_name FROM visit_treatments
            WHERE patient_id = \(patientID) ORDER BY done_at DESC LIMIT 500
            """).map { row in
            PastTreatment(date: clock.date(of: try row.decode("done_at")), kind: TreatmentKind(rawValue: try row.decode("kind")) ?? .other,
                          teeth: try teeth(row.decode("teeth")), doctorID: try row.decode("doctor_id"),
                          doctorName: try row.decode("doctor_name"))
        }
    }

    /// Patients waiting per doctor now.
    static func waitingCounts(on db: Connection) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try db.query("""
            SELECT doctor_id, count(*) AS n FROM visits
            WHERE status IN \(raw: openStatuses) AND status = 'waiting' AND doctor_id IS NOT NULL GROUP BY doctor_id
            """) {
            counts[try row.decode("doctor_id")] = try row.decode("n")
        }
        return counts
    }

    /// Puts the visit in `doctor`'s queue (or records why it waits for a covering doctor).
    static func assign(_ id: UUID, doctor: DoctorOnDuty?, assignment: String, note: String, coveringFor: DoctorOnDuty?,
                       status: VisitStatus, on db: Connection) throws {
        try db.execute("""
            UPDATE visits SET doctor_id = \(doctor?.id), doctor_name = \(doctor?.name ?? ""), assignment = \(assignment),
                assignment_note = \(note), covering_for_doctor_id = \(coveringFor?.id),
                covering_for_doctor_name = \(coveringFor?.name ?? ""), status = \(status.rawValue),
                moved_priority = NULL, moved_time = NULL, moved_tie_break = NULL, move_reason = '', version = version + 1
            WHERE id = \(id)
            """)
    }

    /// Moves the visit to a new state, stamping the time the state is timed by.
    static func advance(_ id: UUID, to status: VisitStatus, at: Date, reason: String = "", billID: String? = nil,
                        on db: Connection) throws {
        let stamp: String
        switch status {
        case .inTreatment: stamp = "treatment_started_at"
        case .treatmentDone: stamp = "treatment_done_at"
        case .paid: stamp = "paid_at"
        case .left, .leftUnseen: stamp = "left_at"
        case .checkedIn, .waiting: stamp = "checked_in_at"
        }
        try db.execute("""
            UPDATE visits SET status = \(status.rawValue), \(raw: stamp) = \(at),
                leave_reason = CASE WHEN \(status.isEnded)::boolean THEN \(reason) ELSE leave_reason END,
                bill_id = COALESCE(\(billID), bill_id), version = version + 1
            WHERE id = \(id)
            """)
    }

    /// Records the treatments done in a visit.
    static func addTreatments(_ treatments: [TreatmentRecord], to visit: VisitRecord, at: Date, by: String, on db: Connection) throws {
        for treatment in treatments {
            try db.execute("""
                INSERT INTO visit_treatments (visit_id, patient_id, kind, teeth, fee_codes, notes, doctor_id, doctor_name, done_at, recorded_by)
                VALUES (\(visit.id), \(visit.patientID), \(treatment.kind.rawValue), \(treatment.teeth.map(\.description))::smallint[],
                        \(treatment.feeCodes), \(treatment.notes), \(visit.doctorID ?? ""), \(visit.doctorName), \(at), \(by))
                """)
        }
    }

    /// Gives the visit the queue key the desk chose, and keeps the move and its reason.
    static func move(_ id: UUID, to key: QueueKey, before anchor: UUID?, reason: String, by: String, on db: Connection) throws {
        try db.execute("""
            UPDATE visits SET moved_priority = \(key.priority.rawValue), moved_time = \(key.time), moved_tie_break = \(key.tieBreak),
                move_reason = \(reason), version = version + 1
            WHERE id = \(id)
            """)
        try db.execute("""
            INSERT INTO visit_queue_moves (visit_id, before_visit_id, reason, moved_by) VALUES (\(id), \(anchor), \(reason), \(by))
            """)
    }

    /// Every open visit (or one doctor's), each with the median of its doctor's last 20 treatment times, in one
    /// statement. Only the columns the view shows are read, by position (the view runs hundreds of times a second).
    static func queue(doctorID: String?, on db: Connection) throws -> [QueueVisit] {
        let open = """
            WITH open AS (
                SELECT v.id, v.patient_id, p.name, v.kind, v.status, v.doctor_id, v.doctor_name, v.appointment_start,
                       v.called_ahead, v.checked_in_at, v.treatment_started_at, v.moved_priority, v.moved_time,
                       v.moved_tie_break, v.move_reason, v.covering_for_doctor_name
                FROM visits v JOIN patients p ON p.id = v.patient_id
                WHERE v.status IN \(openStatuses)
            """
        let typical = """
            ), typical AS (
                SELECT d.doctor_id, (
                    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY m) FROM (
                        SELECT extract(epoch FROM (t.treatment_done_at - t.treatment_started_at)) / 60 AS m
                        FROM visits t
                        WHERE t.doctor_id = d.doctor_id AND t.treatment_done_at IS NOT NULL AND t.treatment_started_at IS NOT NULL
                        ORDER BY t.treatment_done_at DESC LIMIT 20) last20) AS minutes
                FROM (SELECT DISTINCT doctor_id FROM open WHERE doctor_id IS NOT NULL) d
            )
            SELECT open.*, typical.minutes FROM open LEFT JOIN typical ON typical.doctor_id = open.doctor_id
            """
        let rows = try doctorID.map { try db.query("\(raw: open) AND v.doctor_id = \($0) \(raw: typical)") }
            ?? db.query("\(raw: open) \(raw: typical)")
        return try rows.map { row in
            var moved: QueueKey?
            if let priority = try row.decode(11, as: Int?.self).flatMap(QueueKey.Priority.init(rawValue:)),
               let time = try row.decode(12, as: Date?.self) {
                moved = QueueKey(priority: priority, time: time, tieBreak: try row.decode(13, as: Double?.self) ?? 0)
            }
            guard let kind = VisitKind(rawValue: try row.decode(3)), let status = VisitStatus(rawValue: try row.decode(4)) else {
                throw StoreError(kind: .decoding, message: "a visit holds an unknown kind or status")
            }
            return QueueVisit(id: try row.decode(0), patientID: try row.decode(1), patientName: try row.decode(2), kind: kind,
                              status: status, doctorID: try row.decode(5), doctorName: try row.decode(6),
                              appointmentStart: try row.decode(7), calledAhead: try row.decode(8), checkedInAt: try row.decode(9),
                              treatmentStartedAt: try row.decode(10), moved: moved, moveReason: try row.decode(14),
                              coveringForDoctorName: try row.decode(15), typicalMinutes: try row.decode(16))
        }
    }

    /// Visits checked in before `instant` and still awaiting a doctor, locked (others sweeping skip them), oldest first.
    static func awaitingSince(before instant: Date, limit: Int, on db: Connection) throws -> [VisitRecord] {
        try db.query("""
            SELECT \(raw: columns) FROM visits v JOIN patients p ON p.id = v.patient_id
            WHERE v.status IN ('checked_in', 'waiting') AND v.checked_in_at < \(instant)
            ORDER BY v.checked_in_at LIMIT \(limit) FOR UPDATE OF v SKIP LOCKED
            """).map(record(from:))
    }

    /// Marks the waiting visits that reached `minutes` of waiting by `now` as prompted in `column`; returns them.
    static func markPromptsDue(column: String, minutes: Int, now: Date, on db: Connection) throws -> [VisitRecord] {
        let threshold = now.addingTimeInterval(-Double(minutes) * 60)
        let ids = try db.query("""
            UPDATE visits SET \(raw: column) = \(now)
            WHERE status IN ('checked_in', 'waiting') AND \(raw: column) IS NULL
              AND greatest(checked_in_at, coalesce(appointment_start, checked_in_at)) <= \(threshold)
            RETURNING id
            """).map { try $0.decode("id", as: UUID.self) }
        guard !ids.isEmpty else { return [] }
        return try db.query("SELECT \(raw: columns) FROM visits v JOIN patients p ON p.id = v.patient_id WHERE v.id = ANY(\(ids))")
            .map(record(from:))
    }

    static func record(from row: Row) throws -> VisitRecord {
        var moved: QueueKey?
        if let priority = try row.decode("moved_priority", as: Int?.self).flatMap(QueueKey.Priority.init(rawValue:)),
           let time = try row.decode("moved_time", as: Date?.self) {
            moved = QueueKey(priority: priority, time: time, tieBreak: try row.decode("moved_tie_break", as: Double?.self) ?? 0)
        }
        return VisitRecord(
            id: try row.decode("id"), patientID: try row.decode("patient_id"), patientName: try row.decode("patient_name"),
            appointmentID: try row.decode("appointment_id"), appointmentStart: try row.decode("appointment_start"),
            kind: try enumValue(row, "kind"), suggestedKind: try enumValue(row, "suggested_kind"),
            kindOverrideReason: try row.decode("kind_override_reason"), status: try enumValue(row, "status"),
            doctorID: try row.decode("doctor_id"), doctorName: try row.decode("doctor_name"),
            assignment: try row.decode("assignment"), assignmentNote: try row.decode("assignment_note"),
            coveringForDoctorID: try row.decode("covering_for_doctor_id"),
            coveringForDoctorName: try row.decode("covering_for_doctor_name"),
            requestedDoctorGender: try row.decode("requested_doctor_gender"),
            teeth: try row.decode("teeth", as: [String].self).compactMap { Int($0) },
            complaint: try row.decode("complaint"), calledAhead: try row.decode("called_ahead"),
            checkedInAt: try row.decode("checked_in_at"), checkedInBy: try row.decode("checked_in_by"),
            treatmentStartedAt: try row.decode("treatment_started_at"), treatmentDoneAt: try row.decode("treatment_done_at"),
            paidAt: try row.decode("paid_at"), leftAt: try row.decode("left_at"), leaveReason: try row.decode("leave_reason"),
            billID: try row.decode("bill_id"), moved: moved, moveReason: try row.decode("move_reason"),
            version: try row.decode("version"))
    }

    private static func enumValue<T: RawRepresentable>(_ row: Row, _ column: String) throws -> T where T.RawValue == String {
        let text = try row.decode(column, as: String.self)
        guard let value = T(rawValue: text) else { throw StoreError(kind: .decoding, message: "\(column) holds an unknown value") }
        return value
    }

    private static func teeth(_ texts: [String]) throws -> [ToothNumber] {
        texts.compactMap { Int($0).flatMap(ToothNumber.init) }
    }
}

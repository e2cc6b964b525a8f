import ClinicService
import ClinicStore
import Foundation

/// SQL for weekly rosters, date overrides and leave.
enum RosterStore {
    /// The weekly rosters of `doctors`, keyed by doctor.
    static func weekly(of doctors: [UUID], on db: Connection) throws -> [UUID: WeeklyRoster] {
        var rosters: [UUID: WeeklyRoster] = [:]
        for row in try db.query("""
            SELECT doctor_id, weekday, to_char(starts_at, 'HH24:MI') AS starts_at, to_char(ends_at, 'HH24:MI') AS ends_at, breaks
            FROM roster_days WHERE doctor_id = ANY(\(doctors))
            """) {
            let doctor = try row.decode("doctor_id", as: UUID.self)
            rosters[doctor, default: WeeklyRoster()].days[try row.decode("weekday", as: Int.self)] = try hours(row)
        }
        return rosters
    }

    /// Replaces a doctor's weekly roster.
    static func replaceWeekly(_ roster: WeeklyRoster, of doctor: UUID, on db: Connection) throws {
        try db.execute("DELETE FROM roster_days WHERE doctor_id = \(doctor)")
        for (weekday, day) in roster.days.sorted(by: { $0.key < $1.key }) {
            try db.execute("""
                INSERT INTO roster_days (doctor_id, weekday, starts_at, ends_at, breaks)
                VALUES (\(doctor), \(weekday), \(day.hours.start.description)::time, \(endText(day.hours.end))::time,
                        \(day.breaks.map(\.stored)))
                """)
        }
    }

    /// When the weekly roster of `doctor` last changed.
    static func weeklyUpdatedAt(of doctor: UUID, on db: Connection) throws -> Date? {
        try db.query("SELECT max(updated_at) AS at FROM roster_days WHERE doctor_id = \(doctor)").first?.decode("at", as: Date?.self)
    }

    /// Overrides of `doctors` from `from` to `to` inclusive (no end when `to` is nil).
    static func overrides(of doctors: [UUID], from: ClinicDate, to: ClinicDate?, on db: Connection) throws -> [RosterOverrideRecord] {
        try db.query("""
            SELECT doctor_id, day::text AS day, day_off, to_char(starts_at, 'HH24:MI') AS starts_at,
                   to_char(ends_at, 'HH24:MI') AS ends_at, breaks, reason
            FROM roster_overrides
            WHERE doctor_id = ANY(\(doctors))
              AND day >= \(from.description)::date AND (\(to?.description)::date IS NULL OR day <= \(to?.description)::date)
            ORDER BY day
            """).map { row in
            guard let date = ClinicDate(iso: try row.decode("day")) else {
                throw StoreError(kind: .decoding, message: "roster_overrides.day is not a date")
            }
            let plan: DayPlan = try row.decode("day_off", as: Bool.self) ? .dayOff : .hours(try hours(row))
            return RosterOverrideRecord(doctorID: try row.decode("doctor_id"), date: date, plan: plan, reason: try row.decode("reason"))
        }
    }

    static func upsertOverride(_ record: RosterOverrideRecord, on db: Connection) throws {
        var start: String?
        var end: String?
        var breaks: [String] = []
        if case .hours(let hours) = record.plan {
            start = hours.hours.start.description
            end = endText(hours.hours.end)
            breaks = hours.breaks.map(\.stored)
        }
        let dayOff = record.plan == .dayOff
        try db.execute("""
            INSERT INTO roster_overrides (doctor_id, day, day_off, starts_at, ends_at, breaks, reason)
            VALUES (\(record.doctorID), \(record.date.description)::date, \(dayOff), \(start)::time, \(end)::time, \(breaks), \(record.reason))
            ON CONFLICT (doctor_id, day) DO UPDATE SET day_off = EXCLUDED.day_off, starts_at = EXCLUDED.starts_at,
                ends_at = EXCLUDED.ends_at, breaks = EXCLUDED.breaks, reason = EXCLUDED.reason, updated_at = now()
            """)
    }

    static func deleteOverride(of doctor: UUID, on date: ClinicDate, db: Connection) throws -> Bool {
        try db.execute("DELETE FROM roster_overrides WHERE doctor_id = \(doctor) AND day = \(date.description)::date") > 0
    }

    /// Leave of `doctors` overlapping `span`; withdrawn leave only when asked.
    static func leave(of doctors: [UUID], overlapping span: TimeSpan, includeCancelled: Bool = false, on db: Connection) throws -> [LeaveRecord] {
        try db.query("""
            SELECT id, doctor_id, start_time, end_time, reason, cancelled, created_at FROM leave
            WHERE doctor_id = ANY(\(doctors))
              AND end_time > \(span.start) AND start_time < \(span.end) AND (NOT cancelled OR \(includeCancelled))
            ORDER BY start_time
            """).map(leave)
    }

    static func insertLeave(doctor: UUID, span: TimeSpan, reason: String, createdBy: String, on db: Connection) throws -> LeaveRecord {
        try leave(try db.query("""
            INSERT INTO leave (doctor_id, start_time, end_time, reason, created_by)
            VALUES (\(doctor), \(span.start), \(span.end), \(reason), \(createdBy))
            RETURNING id, doctor_id, start_time, end_time, reason, cancelled, created_at
            """)[0])
    }

    static func cancelLeave(_ id: UUID, on db: Connection) throws -> LeaveRecord? {
        try db.query("""
            UPDATE leave SET cancelled = true WHERE id = \(id)
            RETURNING id, doctor_id, start_time, end_time, reason, cancelled, created_at
            """).first.map(leave)
    }

    /// 24:00 is stored as the time type's 24:00:00.
    private static func endText(_ time: TimeOfDay) -> String { time.minutes == 1440 ? "24:00" : time.description }

    private static func hours(_ row: Row) throws -> WorkingHours {
        guard let start = TimeOfDay(try row.decode("starts_at", as: String.self)),
              let end = TimeOfDay(try row.decode("ends_at", as: String.self)) else {
            throw StoreError(kind: .decoding, message: "roster hours are not HH:MM")
        }
        let breaks = try row.decode("breaks", as: [String].self).compactMap(DaySpan.init(stored:))
        return WorkingHours(hours: DaySpan(start: start, end: end), breaks: breaks)
    }

    private static func leave(_ row: Row) throws -> LeaveRecord {
        LeaveRecord(id: try row.decode("id"), doctorID: try row.decode("doctor_id"),
                    span: TimeSpan(start: try row.decode("start_time"), end: try row.decode("end_time")),
                    reason: try row.decode("reason"), cancelled: try row.decode("cancelled"), createdAt: try row.decode("created_at"))
    }
}

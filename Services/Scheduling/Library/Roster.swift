import ClinicService

/// A span of clinic-local time within one day, `HH:MM` to `HH:MM`.
public struct DaySpan: Sendable, Hashable, CustomStringConvertible {
    /// Start of the span.
    public var start: TimeOfDay
    /// End of the span (after the start).
    public var end: TimeOfDay

    /// A span of local times.
    public init(start: TimeOfDay, end: TimeOfDay) {
        self.start = start
        self.end = end
    }

    /// Parses `"HH:MM-HH:MM"` (how breaks are stored); nil for anything else.
    public init?(stored text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let start = TimeOfDay(parts[0]), let end = TimeOfDay(parts[1]) else { return nil }
        self.init(start: start, end: end)
    }

    /// `"HH:MM-HH:MM"`, the stored form.
    public var stored: String { "\(start)-\(end)" }

    /// `"HH:MM–HH:MM"`, as people read it.
    public var description: String { "\(start)–\(end)" }
}

/// A working day's hours and the breaks inside them.
public struct WorkingHours: Sendable, Hashable {
    /// From arrival to leaving.
    public var hours: DaySpan
    /// Breaks inside the hours, in time order.
    public var breaks: [DaySpan]

    /// Hours with breaks (sorted by start).
    public init(hours: DaySpan, breaks: [DaySpan] = []) {
        self.hours = hours
        self.breaks = breaks.sorted { $0.start < $1.start }
    }

    /// The bookable local spans: the hours minus the breaks.
    public var bookable: [DaySpan] {
        var spans: [DaySpan] = []
        var cursor = hours.start
        for pause in breaks {
            if pause.start > cursor { spans.append(DaySpan(start: cursor, end: min(pause.start, hours.end))) }
            cursor = max(cursor, pause.end)
        }
        if cursor < hours.end { spans.append(DaySpan(start: cursor, end: hours.end)) }
        return spans
    }

    /// Checks raw `HH:MM` texts: end after start, breaks inside the hours and not overlapping. Field names are
    /// prefixed with `field` (e.g. `days[0]`); returns the hours or every violation.
    public static func parse(start: String, end: String, breaks: [(start: String, end: String)],
                             field: String) -> Result<WorkingHours, ViolationList> {
        var violations: [Violation] = []
        let hoursStart = TimeOfDay(start)
        let hoursEnd = TimeOfDay(end)
        if hoursStart == nil { violations.append(Violation("\(field).hours.start", "must be a time HH:MM")) }
        if hoursEnd == nil { violations.append(Violation("\(field).hours.end", "must be a time HH:MM")) }
        if let hoursStart, let hoursEnd, hoursEnd <= hoursStart {
            violations.append(Violation("\(field).hours.end", "must be after the start"))
        }
        var parsed: [DaySpan] = []
        for (index, pause) in breaks.enumerated() {
            let name = "\(field).breaks[\(index)]"
            guard let breakStart = TimeOfDay(pause.start), let breakEnd = TimeOfDay(pause.end) else {
                violations.append(Violation(name, "must be times HH:MM"))
                continue
            }
            guard breakEnd > breakStart else {
                violations.append(Violation("\(name).end", "must be after the start"))
                continue
            }
            if let hoursStart, let hoursEnd, breakStart < hoursStart || breakEnd > hoursEnd {
                violations.append(Violation(name, "must lie inside the working hours"))
            }
            if parsed.contains(where: { $0.start < breakEnd && breakStart < $0.end }) {
                violations.append(Violation(name, "overlaps another break"))
            }
            parsed.append(DaySpan(start: breakStart, end: breakEnd))
        }
        guard violations.isEmpty, let hoursStart, let hoursEnd else { return .failure(ViolationList(violations)) }
        return .success(WorkingHours(hours: DaySpan(start: hoursStart, end: hoursEnd), breaks: parsed))
    }
}

/// A doctor's usual week: working hours per ISO weekday (1 = Monday … 7 = Sunday); unlisted days are off.
public struct WeeklyRoster: Sendable, Hashable {
    /// Hours by ISO weekday.
    public var days: [Int: WorkingHours]

    /// A week from its working days.
    public init(days: [Int: WorkingHours] = [:]) { self.days = days }
}

/// One date planned differently from the weekly roster.
public enum DayPlan: Sendable, Hashable {
    /// No work that date.
    case dayOff
    /// Other hours that date.
    case hours(WorkingHours)
}

/// A doctor's working time on one date after the weekly roster, an override and leave.
public struct EffectiveDay: Sendable, Hashable {
    /// The clinic date.
    public var date: ClinicDate
    /// Bookable spans of instants, in time order (empty: not working).
    public var working: [TimeSpan]
    /// The same spans in clinic time, for messages and views.
    public var localWorking: [DaySpan]
    /// Why the day differs from the weekly roster: "override", "day off", "leave", or "".
    public var note: String
}

/// Works out when a doctor can be booked: the weekly roster day (or its override) minus breaks minus leave.
public struct RosterCalculator: Sendable {
    /// Converts local times to instants.
    public let clock: ClinicClock

    /// A calculator in the clinic's time zone.
    public init(clock: ClinicClock) { self.clock = clock }

    /// The effective working time on `date`; `leave` may hold any spans (only overlapping ones matter).
    public func day(_ date: ClinicDate, weekly: WeeklyRoster, override: DayPlan?, leave: [TimeSpan]) -> EffectiveDay {
        var note = ""
        let hours: WorkingHours?
        switch override {
        case .dayOff?:
            hours = nil
            note = "day off"
        case .hours(let special)?:
            hours = special
            note = "override"
        case nil:
            hours = weekly.days[date.isoWeekday]
        }
        var working = (hours?.bookable ?? []).map {
            TimeSpan(start: clock.instant(date, $0.start), end: clock.instant(date, $0.end))
        }
        let dayLeave = leave.filter { absence in working.contains { $0.overlaps(absence) } }
        if !dayLeave.isEmpty {
            working = Self.subtract(dayLeave, from: working)
            note = note.isEmpty ? "leave" : note + ", leave"
        }
        let local = working.map { DaySpan(start: clock.timeOfDay(of: $0.start), end: endTime(of: $0, on: date)) }
        return EffectiveDay(date: date, working: working, localWorking: local, note: note)
    }

    /// `spans` with every part covered by `holes` removed (both in time order or not).
    public static func subtract(_ holes: [TimeSpan], from spans: [TimeSpan]) -> [TimeSpan] {
        var result = spans.sorted { $0.start < $1.start }
        for hole in holes {
            result = result.flatMap { span -> [TimeSpan] in
                guard span.overlaps(hole) else { return [span] }
                var pieces: [TimeSpan] = []
                if span.start < hole.start { pieces.append(TimeSpan(start: span.start, end: hole.start)) }
                if hole.end < span.end { pieces.append(TimeSpan(start: hole.end, end: span.end)) }
                return pieces
            }
        }
        return result
    }

    /// The local end time of a span starting on `date` (24:00 when it ends at the next midnight).
    private func endTime(of span: TimeSpan, on date: ClinicDate) -> TimeOfDay {
        clock.date(of: span.end) > date ? TimeOfDay(minutes: 1440) : clock.timeOfDay(of: span.end)
    }
}

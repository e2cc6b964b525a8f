import Foundation

/// A calendar day in the clinic's time zone, as written on a form: `YYYY-MM-DD`.
public struct ClinicDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Year, e.g. 2026.
    public let year: Int
    /// Month 1–12.
    public let month: Int
    /// Day of month 1–31.
    public let day: Int

    /// A date from its parts; not checked (use `init?(iso:)` for input).
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`; nil for any other shape or a day that does not exist.
    public init?(iso text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), day >= 1, day <= Self.days(inMonth: month, year: year)
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        "\(Self.padded(year, 4))-\(Self.padded(month, 2))-\(Self.padded(day, 2))"
    }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public var isoWeekday: Int {
        // 1970-01-01 was a Thursday (ISO 4).
        let days = dayNumber
        return ((days % 7 + 7 + 3) % 7) + 1
    }

    /// The date `count` days later (earlier when negative).
    public func adding(days count: Int) -> ClinicDate {
        Self(dayNumber: dayNumber + count)
    }

    /// Whole days from `self` to `other` (negative when `other` is earlier).
    public func days(until other: ClinicDate) -> Int { other.dayNumber - dayNumber }

    /// Chronological order.
    public static func < (lhs: ClinicDate, rhs: ClinicDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Days since 1970-01-01 (proleptic Gregorian).
    var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    init(dayNumber: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        self.init(year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }

    static func days(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// A wall-clock time of day in the clinic, `HH:MM`, as minutes since midnight (24:00 allowed as an end).
public struct TimeOfDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Minutes since local midnight, 0…1440.
    public let minutes: Int

    /// A time from minutes since midnight.
    public init(minutes: Int) { self.minutes = minutes }

    /// A time from hours and minutes.
    public init(hour: Int, minute: Int) { self.minutes = hour * 60 + minute }

    /// Parses `HH:MM` (00:00 to 24:00); nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let hour = Int(parts[0]), let minute = Int(parts[1]), minute < 60,
              hour < 24 || (hour == 24 && minute == 0)
        else { return nil }
        self.minutes = hour * 60 + minute
    }

    /// `HH:MM`.
    public var description: String { "\(ClinicDate.padded(minutes / 60, 2)):\(ClinicDate.padded(minutes % 60, 2))" }

    /// Earlier first.
    public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool { lhs.minutes < rhs.minutes }
}

/// A span of instants, start included and end excluded.
public struct TimeSpan: Sendable, Hashable, CustomStringConvertible {
    /// First instant inside.
    public var start: Date
    /// First instant after.
    public var end: Date

    /// A span; `end` should be after `start`.
    public init(start: Date, end: Date) {
        self.start = start
        self.end = end
    }

    /// Whether the two spans share any instant.
    public func overlaps(_ other: TimeSpan) -> Bool { start < other.end && other.start < end }

    /// Whether `other` lies entirely inside this span.
    public func contains(_ other: TimeSpan) -> Bool { start <= other.start && other.end <= end }

    /// Length in seconds.
    public var seconds: TimeInterval { end.timeIntervalSince(start) }

    /// ISO-like UTC form for logs.
    public var description: String { "\(start)–\(end)" }
}

/// The clinic's time zone at the edges: clinic-local dates and times ⇄ UTC instants.
///
/// Works with the zone's UTC offset and day arithmetic rather than Calendar component calls, which are
/// far slower and run thousands of times per slot search.
public struct ClinicClock: Sendable {
    /// The clinic's time zone.
    public let timeZone: TimeZone

    /// A clock for `timeZone`.
    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    /// The clinic date at `instant`.
    public func date(of instant: Date) -> ClinicDate {
        ClinicDate(dayNumber: Self.floorDivide(localSeconds(of: instant), 86_400))
    }

    /// Today in the clinic.
    public func today(now: Date = Date()) -> ClinicDate { date(of: now) }

    /// The instant of `time` on `date`, clinic time (24:00 is the next day's midnight).
    public func instant(_ date: ClinicDate, _ time: TimeOfDay) -> Date {
        let local = date.dayNumber * 86_400 + time.minutes * 60
        // The offset at the guessed instant; a second look settles a change of offset (daylight saving) nearby.
        let firstGuess = local - offset(atUTC: local)
        let settled = local - offset(atUTC: firstGuess)
        return Date(timeIntervalSince1970: TimeInterval(settled))
    }

    /// Local midnight starting `date`, as an instant.
    public func startOfDay(_ date: ClinicDate) -> Date { instant(date, TimeOfDay(minutes: 0)) }

    /// The whole clinic-local day `date`, local midnight to the next.
    public func span(of date: ClinicDate) -> TimeSpan {
        TimeSpan(start: startOfDay(date), end: startOfDay(date.adding(days: 1)))
    }

    /// The clinic time of day at `instant` (minutes precision).
    public func timeOfDay(of instant: Date) -> TimeOfDay {
        let seconds = localSeconds(of: instant) - Self.floorDivide(localSeconds(of: instant), 86_400) * 86_400
        return TimeOfDay(minutes: seconds / 60)
    }

    /// `YYYY-MM-DD HH:MM` in clinic time, for display.
    public func display(_ instant: Date) -> String { "\(date(of: instant)) \(timeOfDay(of: instant))" }

    /// Seconds since 1970-01-01 00:00 of the clinic's wall clock at `instant`.
    private func localSeconds(of instant: Date) -> Int {
        let utc = Int(instant.timeIntervalSince1970.rounded(.down))
        return utc + offset(atUTC: utc)
    }

    private func offset(atUTC seconds: Int) -> Int {
        timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    private static func floorDivide(_ a: Int, _ b: Int) -> Int {
        let quotient = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
    }
}

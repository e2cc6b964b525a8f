import ClinicStore
import Foundation

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
        ClinicDate(dayNumber: Self.days(localSeconds(of: instant)))
    }

    /// Today in the clinic.
    public func today(now: Date = Date()) -> ClinicDate { date(of: now) }

    /// Whole years between `birth` and `today` (0 before the first birthday).
    public func age(birth: ClinicDate, on today: ClinicDate) -> Int {
        var years = today.year - birth.year
        if (today.month, today.day) < (birth.month, birth.day) { years -= 1 }
        return max(0, years)
    }

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
        let seconds = localSeconds(of: instant) - Self.days(localSeconds(of: instant)) * 86_400
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

    /// Whole days since 1970-01-01 in `seconds` of clinic-local time, rounding towards the past.
    private static func days(_ seconds: Int) -> Int { Int(CivilDays.floorDivide(Int64(seconds), 86_400)) }
}

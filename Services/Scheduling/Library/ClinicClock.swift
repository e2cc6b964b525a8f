import ClinicService
import ClinicStore
import Foundation

/// A wall-clock time of day in the clinic, `HH:MM`, as minutes since midnight (24:00 allowed as an end).
public struct TimeOfDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Minutes since local midnight, 0…1440.
    public let minutes: Int

    /// A time from minutes since midnight.
    public init(minutes: Int) { self.minutes = minutes }

    /// A time from hours and minutes.
    public init(hour: Int, minute: Int) { self.minutes = hour * 60 + minute }

    /// Parses `HH:MM` (00:00 to 24:00); nil for anything else.
    public init?(_ text: some StringProtocol) {
        // Byte by byte: rosters are read for every doctor on every slot search.
        var value = (hour: 0, minute: 0)
        var count = 0
        for byte in text.utf8 {
            defer { count += 1 }
            if count == 2 {
                guard byte == UInt8(ascii: ":") else { return nil }
                continue
            }
            let digit = Int(byte) - Int(UInt8(ascii: "0"))
            guard count < 5, (0...9).contains(digit) else { return nil }
            if count < 2 { value.hour = value.hour * 10 + digit } else { value.minute = value.minute * 10 + digit }
        }
        guard count == 5, value.minute < 60, value.hour < 24 || (value.hour == 24 && value.minute == 0) else { return nil }
        self.minutes = value.hour * 60 + value.minute
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
        ClinicDate(dayNumber: Self.days(localSeconds(of: instant)))
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

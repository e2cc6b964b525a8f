import ClinicService
import Foundation
import Synchronization

/// Dates as the clinic sees them: calendar days in the clinic time zone.
public struct ClinicCalendar: Sendable {
    /// The clinic's time zone (default Asia/Shanghai).
    public let timeZone: TimeZone
    private let calendar: Calendar
    private let todayCache = TodayCache()

    /// A calendar for `timeZone`.
    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// Today's date in the clinic time zone at `now`; the calendar is asked once per day, not once per request.
    public func today(now: Date = Date()) -> CalendarDate {
        if let known = todayCache.date(at: now) { return known }
        let parts = calendar.dateComponents([.year, .month, .day], from: now)
        let date = CalendarDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)
        let start = calendar.startOfDay(for: now)
        if let end = calendar.date(byAdding: .day, value: 1, to: start) { todayCache.remember(date, from: start, until: end) }
        return date
    }

    /// Whole years between `birth` and `today` (0 before the first birthday).
    public func age(birth: CalendarDate, on today: CalendarDate) -> Int {
        var years = today.year - birth.year
        if (today.month, today.day) < (birth.month, birth.day) { years -= 1 }
        return max(0, years)
    }
}

/// A calendar day with no time or zone, as written on a form: `YYYY-MM-DD` (the shared `ClinicDate`).
public typealias CalendarDate = ClinicDate

/// The clinic day last asked about and the instants it spans.
private final class TodayCache: Sendable {
    private let day = Mutex<(date: CalendarDate, start: Date, end: Date)?>(nil)

    /// The remembered date if `instant` falls in its day.
    func date(at instant: Date) -> CalendarDate? {
        day.withLock { day in
            guard let day, day.start <= instant, instant < day.end else { return nil }
            return day.date
        }
    }

    func remember(_ date: CalendarDate, from start: Date, until end: Date) {
        day.withLock { $0 = (date, start, end) }
    }
}

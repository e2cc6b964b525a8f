import ClinicService
import Foundation

/// Dates as the clinic sees them: calendar days in the clinic time zone.
public struct ClinicCalendar: Sendable {
    /// The clinic's time zone (default Asia/Shanghai).
    public let timeZone: TimeZone
    private let calendar: Calendar

    /// A calendar for `timeZone`.
    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// Today's date in the clinic time zone at `now`.
    public func today(now: Date = Date()) -> CalendarDate {
        let parts = calendar.dateComponents([.year, .month, .day], from: now)
        return CalendarDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)
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

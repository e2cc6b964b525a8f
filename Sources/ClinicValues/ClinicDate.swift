
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
        // Read off the ten UTF-8 bytes directly: dates are parsed for every row that holds one.
        guard text.utf8.count == 10 else { return nil }
        let parsed = text.utf8.withContiguousStorageIfAvailable(Self.parts) ?? Array(text.utf8).withUnsafeBufferPointer(Self.parts)
        guard let (year, month, day) = parsed, (1...12).contains(month), day >= 1, day <= Self.days(inMonth: month, year: year)
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// Year, month and day of `YYYY-MM-DD` bytes, or nil for any other shape.
    private static func parts(_ bytes: UnsafeBufferPointer<UInt8>) -> (Int, Int, Int)? {
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let digit = Int(bytes[index]) - 48
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        return (year, month, day)
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

    /// The same day `count` months later (earlier when negative), or the month's last day when it is shorter:
    /// 31 January + 1 month is 28 (or 29) February, 29 February + 12 months is 28 February.
    public func adding(months count: Int) -> ClinicDate {
        let index = year * 12 + (month - 1) + count
        let newYear = Int((Double(index) / 12).rounded(.down))
        let newMonth = index - newYear * 12 + 1
        return ClinicDate(year: newYear, month: newMonth, day: min(day, Self.days(inMonth: newMonth, year: newYear)))
    }

    /// Whole days from `self` to `other` (negative when `other` is earlier).
    public func days(until other: ClinicDate) -> Int { other.dayNumber - dayNumber }

    /// Chronological order.
    public static func < (lhs: ClinicDate, rhs: ClinicDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Days since 1970-01-01 (proleptic Gregorian).
    public var dayNumber: Int { Int(CivilDays.number(year: Int64(year), month: Int64(month), day: Int64(day))) }

    /// The date `dayNumber` days after 1970-01-01.
    public init(dayNumber: Int) {
        let date = CivilDays.date(Int64(dayNumber))
        self.init(year: Int(date.year), month: Int(date.month), day: Int(date.day))
    }

    /// Days in `month` of `year` (Gregorian leap years).
    public static func days(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// `value` in decimal, zero-padded to `width` digits (no Foundation formatter: it shows up in profiles).
    public static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// A wall-clock time of day in the clinic, `HH:MM`, as minutes since midnight (24:00 allowed as an end).
public struct TimeOfDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Minutes since local midnight, 0…1440.
    public let minutes: Int

    /// A time from minutes since midnight.
    public init(minutes: Int) { self.minutes = minutes }

    /// A time from hours and minutes.
    public init(hour: Int, minute: Int) { self.minutes = hour * 60 + minute }

    /// Parses `HH:MM` (00:00 to 24:00; 24:00 ends a day); nil for anything else.
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

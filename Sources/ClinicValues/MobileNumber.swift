/// A mainland China mobile number, normalised to its 11 digits; never printed in full.
public struct MobileNumber: Sendable, Hashable, CustomStringConvertible {
    /// The 11 digits, e.g. `13812345678`.
    public let digits: String

    /// Parses what a person typed: whitespace (a pasted newline, the ideographic space), dashes, brackets and a
    /// `+86`/`86` prefix are accepted; nil when it is not a mobile number.
    public init?(_ raw: String) {
        var digits = raw.filter { !($0.isWhitespace || "-()".contains($0)) }
        if digits.hasPrefix("+86") { digits.removeFirst(3) } else if digits.count == 13, digits.hasPrefix("86") { digits.removeFirst(2) }
        guard digits.utf8.count == 11, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        let bytes = Array(digits.utf8)
        // Mainland mobile numbers start with 1 and a second digit of 3–9.
        guard bytes[0] == UInt8(ascii: "1"), (UInt8(ascii: "3")...UInt8(ascii: "9")).contains(bytes[1]) else { return nil }
        self.digits = digits
    }

    /// What every check of a mobile field says when the value is not one.
    public static let expectation = "must be a mainland mobile number: 11 digits starting with 13–19"

    /// The number as lists show it: `138****5678`.
    public var masked: String { Self.mask(digits) }

    /// Masks any stored phone text the same way: first three and last four digits kept.
    public static func mask(_ text: String) -> String {
        guard text.count >= 7 else { return String(repeating: "*", count: text.count) }
        return String(text.prefix(3)) + String(repeating: "*", count: text.count - 7) + String(text.suffix(4))
    }

    /// Never the full number, so that an accidental log line leaks nothing.
    public var description: String { masked }
}

extension Character {
    /// True for the ASCII digits 0–9 only (not other Unicode digits).
    public var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

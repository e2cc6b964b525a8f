import Foundation

/// UUIDs ⇄ their hyphenated text (`8-4-4-4-12` hex digits), without Foundation's scanf/printf round trip,
/// which costs microseconds per id on Linux and shows up wherever hundreds of rows are read.
public enum UUIDText {
    /// Parses the 36-character hyphenated form in either case; nil for anything else.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> UUID? {
        guard bytes.count == 36 else { return nil }
        var raw: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &raw) { out -> Bool in
            var index = 0
            for byte in 0..<16 {
                if index == 8 || index == 13 || index == 18 || index == 23 {
                    guard bytes[index] == UInt8(ascii: "-") else { return false }
                    index += 1
                }
                guard let high = nibble(bytes[index]), let low = nibble(bytes[index + 1]) else { return false }
                out[byte] = high << 4 | low
                index += 2
            }
            return true
        }
        return parsed ? UUID(uuid: raw) : nil
    }

    /// Parses the 36-character hyphenated form in either case; nil for anything else.
    public static func parse(_ text: some StringProtocol) -> UUID? {
        var text = String(text)
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// The lowercase hyphenated form, as PostgreSQL prints it and the API returns it.
    public static func lowercase(_ id: UUID) -> String {
        let digits: StaticString = "0123456789abcdef"
        return withUnsafeBytes(of: id.uuid) { raw in
            String(unsafeUninitializedCapacity: 36) { out in
                var index = 0
                for (byte, value) in raw.enumerated() {
                    if byte == 4 || byte == 6 || byte == 8 || byte == 10 {
                        out[index] = UInt8(ascii: "-")
                        index += 1
                    }
                    out[index] = digits.utf8Start[Int(value >> 4)]
                    out[index + 1] = digits.utf8Start[Int(value & 0x0f)]
                    index += 2
                }
                return index
            }
        }
    }

    @inline(__always)
    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character &- UInt8(ascii: "A") &+ 10
        default: nil
        }
    }
}

extension UUID {
    /// The lowercase hyphenated form (what PostgreSQL prints and the API returns).
    public var lowercasedText: String { UUIDText.lowercase(self) }
}

/// The hex text form of bytea (`\x0a1b…`).
enum PostgresBytea {
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Formats bytes as `\x` followed by two lowercase hex digits per byte.
    static func formatHex(_ bytes: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: 2 + bytes.count * 2) { buffer in
            buffer[0] = UInt8(ascii: "\\")
            buffer[1] = UInt8(ascii: "x")
            var index = 2
            for byte in bytes {
                buffer[index] = hexDigits[Int(byte >> 4)]
                buffer[index + 1] = hexDigits[Int(byte & 0x0F)]
                index += 2
            }
            return index
        }
    }

    /// Parses `\x…` hex output (the connection sets bytea_output = hex).
    static func parseHex(_ text: UnsafeRawBufferPointer) throws -> [UInt8] {
        guard text.count >= 2, text[0] == UInt8(ascii: "\\"), text[1] == UInt8(ascii: "x"), text.count % 2 == 0 else {
            throw SQLDecodingFailure.invalid("not bytea hex output")
        }
        let length = (text.count - 2) / 2
        return try [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
            var index = 2
            for position in 0..<length {
                guard let high = nibble(text[index]), let low = nibble(text[index + 1]) else {
                    throw SQLDecodingFailure.invalid("not bytea hex output")
                }
                buffer[position] = high << 4 | low
                index += 2
                initialized = position + 1
            }
        }
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

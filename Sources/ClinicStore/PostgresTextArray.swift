/// The text form of one-dimensional text[] values.
enum PostgresTextArray {
    /// Formats elements as `{"a","b"}`, quoting every element and escaping `\` and `"`.
    static func format(_ elements: [String]) -> String {
        var out = "{"
        for (position, element) in elements.enumerated() {
            if position > 0 { out.append(",") }
            out.append("\"")
            for character in element.unicodeScalars {
                if character == "\"" || character == "\\" { out.append("\\") }
                out.unicodeScalars.append(character)
            }
            out.append("\"")
        }
        out.append("}")
        return out
    }

    /// Parses a one-dimensional array literal; NULL elements and nested arrays are rejected.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws -> [String] {
        var index = 0
        let count = bytes.count
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }
        func skipSpaces() { while index < count, isSpace(bytes[index]) { index += 1 } }
        // Optional dimension decoration, e.g. `[0:1]={…}`.
        if index < count, bytes[index] == UInt8(ascii: "[") {
            while index < count, bytes[index] != UInt8(ascii: "=") { index += 1 }
            index += 1
        }
        skipSpaces()
        guard index < count, bytes[index] == UInt8(ascii: "{") else {
            throw SQLDecodingFailure.invalid("not a valid array")
        }
        index += 1
        skipSpaces()
        var result: [String] = []
        if index < count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            skipSpaces()
            guard index == count else { throw SQLDecodingFailure.invalid("not a valid array") }
            return result
        }
        var element: [UInt8] = []
        while true {
            skipSpaces()
            guard index < count else { throw SQLDecodingFailure.invalid("unterminated array") }
            element.removeAll(keepingCapacity: true)
            if bytes[index] == UInt8(ascii: "\"") {
                index += 1
                var closed = false
                while index < count {
                    let byte = bytes[index]
                    index += 1
                    if byte == UInt8(ascii: "\\") {
                        guard index < count else { break }
                        element.append(bytes[index])
                        index += 1
                    } else if byte == UInt8(ascii: "\"") {
                        closed = true
                        break
                    } else {
                        element.append(byte)
                    }
                }
                guard closed else { throw SQLDecodingFailure.invalid("unterminated array element") }
                skipSpaces()
            } else if bytes[index] == UInt8(ascii: "{") {
                throw SQLDecodingFailure.invalid("multidimensional arrays are not supported")
            } else {
                var sawEscape = false
                while index < count, bytes[index] != UInt8(ascii: ","), bytes[index] != UInt8(ascii: "}") {
                    if bytes[index] == UInt8(ascii: "\\"), index + 1 < count {
                        sawEscape = true
                        element.append(bytes[index + 1])
                        index += 2
                    } else {
                        element.append(bytes[index])
                        index += 1
                    }
                }
                while let last = element.last, isSpace(last) { element.removeLast() }
                if !sawEscape, element.count == 4,
                   String(decoding: element, as: UTF8.self).uppercased() == "NULL" {
                    throw SQLDecodingFailure.invalid("array contains NULL elements")
                }
            }
            result.append(String(decoding: element, as: UTF8.self))
            guard index < count else { throw SQLDecodingFailure.invalid("unterminated array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { throw SQLDecodingFailure.invalid("not a valid array") }
            index += 1
            skipSpaces()
            guard index == count else { throw SQLDecodingFailure.invalid("not a valid array") }
            return result
        }
    }
}

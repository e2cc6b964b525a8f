import Foundation

/// timestamptz text form in UTC with microsecond precision, without Foundation formatters (fast, thread-safe).
enum PostgresTimestamp {
    /// Formats a date as `YYYY-MM-DD HH:MM:SS.ffffff+00` (` BC` appended before year 1).
    static func format(_ date: Date) -> String {
        let scaled = (date.timeIntervalSince1970 * 1_000_000).rounded()
        // Far beyond PostgreSQL's range anyway; clamp instead of trapping.
        let micros = Int64(exactly: scaled) ?? (scaled < 0 ? -(Int64(1) << 62) : (Int64(1) << 62))
        let seconds = CivilDays.floorDivide(micros, 1_000_000)
        let fraction = micros - seconds * 1_000_000
        let days = CivilDays.floorDivide(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = CivilDays.date(days)
        var out = ""
        out.reserveCapacity(32)
        appendPadded(&out, year > 0 ? year : 1 - year, width: 4)
        out.append("-")
        appendPadded(&out, month, width: 2)
        out.append("-")
        appendPadded(&out, day, width: 2)
        out.append(" ")
        appendPadded(&out, secondOfDay / 3600, width: 2)
        out.append(":")
        appendPadded(&out, (secondOfDay / 60) % 60, width: 2)
        out.append(":")
        appendPadded(&out, secondOfDay % 60, width: 2)
        out.append(".")
        appendPadded(&out, fraction, width: 6)
        out.append("+00")
        if year <= 0 { out.append(" BC") }
        return out
    }

    /// Parses `YYYY-MM-DD HH:MM:SS[.f…](+|-)HH[:MM[:SS]][ BC]` (ISO DateStyle output).
    static func parse(_ bytes: UnsafeRawBufferPointer) throws -> Date {
        var cursor = Cursor(bytes: bytes)
        let invalid = SQLDecodingFailure.invalid("not a valid timestamptz")
        guard let rawYear = cursor.number(minDigits: 4), cursor.expect("-"),
              let month = cursor.number(minDigits: 2, maxDigits: 2), cursor.expect("-"),
              let day = cursor.number(minDigits: 2, maxDigits: 2),
              cursor.expect(" ") || cursor.expect("T"),
              let hour = cursor.number(minDigits: 2, maxDigits: 2), cursor.expect(":"),
              let minute = cursor.number(minDigits: 2, maxDigits: 2), cursor.expect(":"),
              let second = cursor.number(minDigits: 2, maxDigits: 2)
        else { throw invalid }
        var micros: Int64 = 0
        if cursor.expect(".") {
            var digits = 0
            while let digit = cursor.digit() {
                if digits < 6 { micros = micros * 10 + digit }
                digits += 1
            }
            guard digits > 0 else { throw invalid }
            for _ in digits..<max(digits, 6) { micros *= 10 }
        }
        var offsetSeconds: Int64 = 0
        if cursor.peek == UInt8(ascii: "+") || cursor.peek == UInt8(ascii: "-") {
            let sign: Int64 = cursor.peek == UInt8(ascii: "-") ? -1 : 1
            cursor.advance()
            guard let offsetHours = cursor.number(minDigits: 2, maxDigits: 2) else { throw invalid }
            var offset = offsetHours * 3600
            if cursor.expect(":") {
                guard let offsetMinutes = cursor.number(minDigits: 2, maxDigits: 2) else { throw invalid }
                offset += offsetMinutes * 60
                if cursor.expect(":") {
                    guard let offsetSecs = cursor.number(minDigits: 2, maxDigits: 2) else { throw invalid }
                    offset += offsetSecs
                }
            }
            offsetSeconds = sign * offset
        } else if cursor.expect("Z") {
            offsetSeconds = 0
        }
        var year = rawYear
        if cursor.expect(" ") {
            guard cursor.expect("B"), cursor.expect("C") else { throw invalid }
            year = 1 - rawYear
        }
        guard cursor.atEnd, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { throw invalid }
        let days = CivilDays.number(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }

    private static func appendPadded(_ out: inout String, _ value: Int64, width: Int) {
        let digits = String(value)
        if digits.count < width { out.append(String(repeating: "0", count: width - digits.count)) }
        out.append(digits)
    }

    /// A forward-only reader over the column bytes.
    private struct Cursor {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        var atEnd: Bool { index >= bytes.count }
        var peek: UInt8? { atEnd ? nil : bytes[index] }

        mutating func advance() { index += 1 }

        mutating func expect(_ character: Unicode.Scalar) -> Bool {
            guard peek == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        mutating func digit() -> Int64? {
            guard let byte = peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            index += 1
            return Int64(byte - UInt8(ascii: "0"))
        }

        mutating func number(minDigits: Int, maxDigits: Int = 9) -> Int64? {
            var value: Int64 = 0
            var count = 0
            while count < maxDigits, let digit = digit() {
                value = value * 10 + digit
                count += 1
            }
            return count >= minDigits ? value : nil
        }
    }
}

extension Date {
    /// The instant as PostgreSQL keeps and returns it (whole microseconds), so that what a row stores and what an event
    /// or a reply says of it are equal.
    public var inStoredPrecision: Date {
        let micros = (timeIntervalSince1970 * 1_000_000).rounded()
        let seconds = (micros / 1_000_000).rounded(.down)
        return Date(timeIntervalSince1970: seconds + (micros - seconds * 1_000_000) / 1_000_000)
    }
}

import Foundation

/// A value that can be read from a text-format result column (or NULL).
public protocol SQLDecodable {
    /// Decodes the column's text bytes; `bytes` is nil for NULL and only valid during the call.
    init(sqlBytes bytes: UnsafeRawBufferPointer?) throws
}

/// Decoding failures, rethrown by `Row` as a `StoreError` naming the column.
enum SQLDecodingFailure: Error {
    case unexpectedNull
    case invalid(String)
}

/// Shared parsing helpers working directly on column bytes.
enum SQLTextParsing {
    /// Requires a non-NULL column.
    @inline(__always)
    static func required(_ bytes: UnsafeRawBufferPointer?) throws -> UnsafeRawBufferPointer {
        guard let bytes else { throw SQLDecodingFailure.unexpectedNull }
        return bytes
    }

    /// Parses a signed decimal integer without allocating.
    static func integer(_ bytes: UnsafeRawBufferPointer, typeName: String) throws -> Int64 {
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        guard index < bytes.count else { throw SQLDecodingFailure.invalid("not a valid \(typeName)") }
        var value: Int64 = 0
        while index < bytes.count {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { throw SQLDecodingFailure.invalid("not a valid \(typeName)") }
            // Accumulate negatively so Int64.min parses too.
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = times.subtractingReportingOverflow(Int64(digit))
            guard !overflow1, !overflow2 else { throw SQLDecodingFailure.invalid("\(typeName) out of range") }
            value = next
            index += 1
        }
        if negative { return value }
        guard value != Int64.min else { throw SQLDecodingFailure.invalid("\(typeName) out of range") }
        return -value
    }

    /// The bytes as a String (UTF-8).
    @inline(__always)
    static func string(_ bytes: UnsafeRawBufferPointer) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}

extension String: SQLDecodable {
    /// The column text as UTF-8.
    public init(sqlBytes bytes: UnsafeRawBufferPointer?) throws {
        self = SQLTextParsing.string(try SQLTextParsing.required(bytes))
    }
}

extension Int: SQLDecodable {
    /// A decimal integer (int2, int4 or int8).
    public init(sqlBytes bytes: UnsafeRawBufferPointer?) throws {
        self = Int(try SQLTextParsing.integer(try SQLTextParsing.required(bytes), typeName: "integer"))
    }
}

extension Int64: SQLDecodable {
    /// A decimal integer (int2, int4 or int8).
    public init(sqlBytes bytes: UnsafeRawBufferPointer?) throws {
        self = try SQLTextParsing.integer(try SQLTextParsing.required(bytes), typeName: "bigint")
    }
}

extension Int32: SQLDecodable {
    /// A decimal integer that fits in 32 bits.
    public init(sqlBytes bytes: UnsafeRawBufferPointer?) throws {
        let wide = try SQLTextParsing.integer(try SQLTextParsing.required(bytes), typeName: "integer")
        guard let narrow = Int32(exactly: wide) else { throw SQLDecodingFailure.invalid("integer out of range") }
        self = narrow
    }
}

extension Bool: SQLDecodable {
    /// `t` or `f` (also `true`/`false`).
    public init(sqlBytes bytes: UnsafeRawBufferPointer?) throws {
        let bytes = try SQLTextParsing.required(bytes)
        switch bytes.first {
        case UInt8(ascii: "t"), UInt8(ascii: "T"): self = true
        case UInt8(ascii: "f"), UInt8(ascii: "F"): self = false
        default: throw SQLDecodingFailure.invalid("not a valid boolean")
        }
    }
}

extension Double: SQLDecodable {
    /// A decimal or exponent form, `Infinity`, `-Infinity` or `NaN`.
    public init(sqlBytes bytes: UnsafeRawBufferPointer?) throws {
        let text = SQLTextParsing.string(try SQLTextParsing.required(bytes))
        switch text {
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        case "NaN": self = .nan
        default:
            guard let value = Double(text) else { throw SQLDecodingFailure.invalid("not a valid double") }
            self = value
        }
    }
}

extension UUID: SQLDecodable {
    /// The hyphenated form.
    public init(sqlBytes bytes: UnsafeRawBufferPointer?) throws {
        guard let value = UUIDText.parse(try SQLTextParsing.required(bytes)) else {
            throw SQLDecodingFailure.invalid("not a valid uuid")
        }
        self = value
    }
}

extension Date: SQLDecodable {
    /// A timestamptz in ISO form (the connection sets DateStyle ISO and TimeZone UTC).
    public init(sqlBytes bytes: UnsafeRawBufferPointer?) throws {
        self = try PostgresTimestamp.parse(try SQLTextParsing.required(bytes))
    }
}

/// An element type whose arrays can be decoded: `[String]` from text[], `[UInt8]` from bytea.
public protocol SQLArrayDecodable {
    /// Decodes a whole array column.
    static func decodeArray(sqlBytes bytes: UnsafeRawBufferPointer) throws -> [Self]
}

extension String: SQLArrayDecodable {
    /// Parses a one-dimensional text[] literal.
    public static func decodeArray(sqlBytes bytes: UnsafeRawBufferPointer) throws -> [String] {
        try PostgresTextArray.parse(bytes)
    }
}

extension UInt8: SQLArrayDecodable {
    /// Parses bytea hex output.
    public static func decodeArray(sqlBytes bytes: UnsafeRawBufferPointer) throws -> [UInt8] {
        try PostgresBytea.parseHex(bytes)
    }
}

extension Array: SQLDecodable where Element: SQLArrayDecodable {
    /// text[] for strings, bytea for bytes.
    public init(sqlBytes bytes: UnsafeRawBufferPointer?) throws {
        self = try Element.decodeArray(sqlBytes: try SQLTextParsing.required(bytes))
    }
}

extension Optional: SQLDecodable where Wrapped: SQLDecodable {
    /// nil for NULL, otherwise the wrapped value.
    public init(sqlBytes bytes: UnsafeRawBufferPointer?) throws {
        guard let bytes else {
            self = .none
            return
        }
        self = .some(try Wrapped(sqlBytes: bytes))
    }
}

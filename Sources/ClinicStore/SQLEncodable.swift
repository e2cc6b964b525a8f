import Foundation

/// A value that can be bound as a text-format query parameter (or NULL).
public protocol SQLEncodable {
    /// The PostgreSQL text form of the value, or nil for NULL.
    var sqlText: String? { get }
    /// The PostgreSQL type OID sent with the parameter; 0 lets the server infer it from context.
    static var postgresTypeOID: UInt32 { get }
}

extension SQLEncodable {
    /// Parameters are untyped unless a conformance says otherwise.
    public static var postgresTypeOID: UInt32 { 0 }
}

extension String: SQLEncodable {
    /// The string itself; untyped so it can fill text, varchar, enum or date columns alike.
    public var sqlText: String? { self }
}

extension Int: SQLEncodable {
    /// Decimal digits.
    public var sqlText: String? { String(self) }
    /// int8.
    public static var postgresTypeOID: UInt32 { 20 }
}

extension Int64: SQLEncodable {
    /// Decimal digits.
    public var sqlText: String? { String(self) }
    /// int8.
    public static var postgresTypeOID: UInt32 { 20 }
}

extension Int32: SQLEncodable {
    /// Decimal digits.
    public var sqlText: String? { String(self) }
    /// int4.
    public static var postgresTypeOID: UInt32 { 23 }
}

extension Bool: SQLEncodable {
    /// `true` or `false`.
    public var sqlText: String? { self ? "true" : "false" }
    /// bool.
    public static var postgresTypeOID: UInt32 { 16 }
}

extension Double: SQLEncodable {
    /// Shortest round-tripping decimal form; PostgreSQL spellings for infinities and NaN.
    public var sqlText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return String(self)
    }
    /// float8.
    public static var postgresTypeOID: UInt32 { 701 }
}

extension UUID: SQLEncodable {
    /// The canonical hyphenated form.
    public var sqlText: String? { UUIDText.lowercase(self) }
    /// uuid.
    public static var postgresTypeOID: UInt32 { 2950 }
}

extension Date: SQLEncodable {
    /// ISO 8601 in UTC with microseconds, e.g. `2024-05-01 09:30:00.123456+00`.
    public var sqlText: String? { PostgresTimestamp.format(self) }
    /// timestamptz.
    public static var postgresTypeOID: UInt32 { 1184 }
}

/// An element type whose arrays have a PostgreSQL form: `[String]` is text[], `[UInt8]` is bytea.
public protocol SQLArrayEncodable {
    /// The PostgreSQL text form of an array of this element.
    static func sqlText(ofArray elements: [Self]) -> String
    /// The type OID of an array of this element.
    static var postgresArrayTypeOID: UInt32 { get }
}

extension String: SQLArrayEncodable {
    /// A text[] literal with every element quoted and escaped.
    public static func sqlText(ofArray elements: [String]) -> String { PostgresTextArray.format(elements) }
    /// text[].
    public static var postgresArrayTypeOID: UInt32 { 1009 }
}

extension UUID: SQLArrayEncodable {
    /// A uuid[] literal; ids need no quoting.
    public static func sqlText(ofArray elements: [UUID]) -> String {
        "{" + elements.map(UUIDText.lowercase).joined(separator: ",") + "}"
    }
    /// uuid[].
    public static var postgresArrayTypeOID: UInt32 { 2951 }
}

extension UInt8: SQLArrayEncodable {
    /// The bytea hex form `\x…`.
    public static func sqlText(ofArray elements: [UInt8]) -> String { PostgresBytea.formatHex(elements) }
    /// bytea.
    public static var postgresArrayTypeOID: UInt32 { 17 }
}

extension Array: SQLEncodable where Element: SQLArrayEncodable {
    /// text[] for strings, uuid[] for ids, bytea for bytes.
    public var sqlText: String? { Element.sqlText(ofArray: self) }
    /// The element's array OID.
    public static var postgresTypeOID: UInt32 { Element.postgresArrayTypeOID }
}

extension Optional: SQLEncodable where Wrapped: SQLEncodable {
    /// The wrapped value's text, or nil for NULL.
    public var sqlText: String? {
        switch self {
        case .some(let value): value.sqlText
        case .none: nil
        }
    }
    /// The wrapped type's OID, so a NULL is still typed.
    public static var postgresTypeOID: UInt32 { Wrapped.postgresTypeOID }
}

import ClinicProto
import ClinicValues
import SwiftProtobuf
import Synchronization

/// A message whose fields carry rules in the contract (`(clinic.api.v1.rules)`): the generated conformance checks
/// every one of them.
public protocol FieldRulesChecked: SwiftProtobuf.Message {
    /// Appends one violation per broken rule, each field named by its proto3 JSON path after `path`
    /// (`""` at the top, `"prospect."` or `"days[2]."` inside a nested message).
    func checkFieldRules(at path: String, into violations: inout [FieldViolation])
}

extension FieldRulesChecked {
    /// Every rule the message breaks; empty when it keeps them all.
    public func fieldViolations() -> [FieldViolation] {
        var violations: [FieldViolation] = []
        checkFieldRules(at: "", into: &violations)
        return violations
    }
}

/// One invalid field of a request, named in proto3 JSON form (e.g. `birthDate`, `prospect.phone`).
public typealias FieldViolation = Clinic_Bus_V1_FieldViolation

extension FieldViolation {
    /// A violation of `field` with its description.
    public init(field: String, _ description: String) {
        self.init()
        self.field = field
        self.description_p = description
    }
}

/// A value's shape beyond its protobuf type, as `(clinic.api.v1.rules).format` names it.
public enum FieldFormat: Sendable {
    case uuid, date, timeOfDay, mainlandMobile, fdiTooth

    /// Whether `text` has the shape.
    public func accepts(_ text: String) -> Bool {
        switch self {
        case .uuid: UUIDText.parse(text) != nil
        case .date: ClinicDate(iso: text) != nil
        case .timeOfDay: TimeOfDay(text) != nil
        case .mainlandMobile: MobileNumber(text) != nil
        case .fdiTooth: Int(text).flatMap(ToothNumber.init) != nil
        }
    }

    /// Whether the number has the shape (only tooth numbers are numbers).
    public func accepts(_ number: Int64) -> Bool {
        switch self {
        case .fdiTooth: ToothNumber(Int(clamping: number)) != nil
        default: false
        }
    }

    /// What a violation says.
    public var expectation: String {
        switch self {
        case .uuid: "must be an id (UUID)"
        case .date: "must be a date YYYY-MM-DD"
        case .timeOfDay: "must be a time of day HH:MM"
        case .mainlandMobile: MobileNumber.expectation
        case .fdiTooth: ToothNumber.expectation
        }
    }
}

/// The checks generated conformances call, one per kind of field. Each appends at most one violation per field
/// and says what is expected without echoing the value.
public enum FieldRule {
    /// A string field's rules; an empty value is checked only for `required`, and no value may hold U+0000.
    public static func text(_ value: String, _ field: String, at path: String, into violations: inout [FieldViolation],
                            required: Bool = false, format: FieldFormat? = nil, minLength: Int = 0, maxLength: Int = .max,
                            pattern: String? = nil, noControlCharacters: Bool = false) {
        if value.isEmpty || (required && value.trimmingWhitespace().isEmpty) {
            if required { violations.append(FieldViolation(field: path + field, "is required")) }
            return
        }
        let problem: String? = {
            // PostgreSQL's text cannot hold U+0000: no field may carry one, whatever its rules.
            if value.utf8.contains(0) { return "must not contain the NUL character (U+0000)" }
            let length = value.unicodeScalars.count
            if length > maxLength { return "must be at most \(maxLength) characters" }
            if length < minLength { return "must be at least \(minLength) characters" }
            if let format, !format.accepts(value) { return format.expectation }
            if let pattern, !matches(value, pattern) { return "must match \(pattern)" }
            if noControlCharacters, value.containsControlCharacters { return "must not contain control characters" }
            return nil
        }()
        if let problem { violations.append(FieldViolation(field: path + field, problem)) }
    }

    /// An integer field's rules; zero is checked only for `required` (it means "not given").
    public static func integer(_ value: Int64, _ field: String, at path: String, into violations: inout [FieldViolation],
                               required: Bool = false, min: Int64? = nil, max: Int64? = nil, format: FieldFormat? = nil) {
        if value == 0 {
            if required { violations.append(FieldViolation(field: path + field, "is required")) }
            return
        }
        if let format, !format.accepts(value) {
            violations.append(FieldViolation(field: path + field, format.expectation))
        } else if let min, let max, !(min...max).contains(value) {
            violations.append(FieldViolation(field: path + field, "must be between \(min) and \(max)"))
        } else if let min, value < min {
            violations.append(FieldViolation(field: path + field, "must be at least \(min)"))
        } else if let max, value > max {
            violations.append(FieldViolation(field: path + field, "must be at most \(max)"))
        }
    }

    /// An enum field's rules: a value the contract defines (`known`), and not the zero value when `required`.
    public static func enumeration(_ rawValue: Int, known: Bool, _ field: String, at path: String,
                                   into violations: inout [FieldViolation], required: Bool = false, definedOnly: Bool = false) {
        if definedOnly || required, !known {
            violations.append(FieldViolation(field: path + field, "is not a known value"))
        } else if required, rawValue == 0 {
            violations.append(FieldViolation(field: path + field, "is required"))
        }
    }

    /// A message field's presence.
    public static func message(present: Bool, _ field: String, at path: String, into violations: inout [FieldViolation],
                               required: Bool) {
        if required, !present { violations.append(FieldViolation(field: path + field, "is required")) }
    }

    /// A repeated field's number of entries.
    public static func items(_ count: Int, _ field: String, at path: String, into violations: inout [FieldViolation],
                             required: Bool = false, minItems: Int = 0, maxItems: Int = .max) {
        if count == 0, required {
            violations.append(FieldViolation(field: path + field, "is required"))
        } else if count > maxItems {
            violations.append(FieldViolation(field: path + field, "must have at most \(maxItems) entries"))
        } else if count < minItems {
            violations.append(FieldViolation(field: path + field, "must have at least \(minItems) entries"))
        }
    }

    /// Exactly one of a group of fields (proto3 JSON names, with whether each is set) must be set.
    public static func exactlyOne(of fields: [(name: String, isSet: Bool)], at path: String, into violations: inout [FieldViolation]) {
        guard fields.count(where: \.isSet) != 1 else { return }
        let names = fields.map { path + $0.name }
        violations.append(FieldViolation(field: names[0], "give exactly one of " + names.joined(separator: ", ")))
    }

    /// At least one of a group of fields must be set.
    public static func atLeastOne(of fields: [(name: String, isSet: Bool)], at path: String, into violations: inout [FieldViolation]) {
        guard !fields.contains(where: \.isSet) else { return }
        let names = fields.map { path + $0.name }
        violations.append(FieldViolation(field: names[0], "give at least one of " + names.joined(separator: ", ")))
    }

    /// `path + field + "[index]."`, the prefix of an entry of a repeated message field.
    public static func entry(_ field: String, _ index: Int, at path: String) -> String {
        "\(path)\(field)[\(index)]."
    }

    /// `path + field + "[index]"`, the name of an entry of a repeated scalar field.
    public static func entryName(_ field: String, _ index: Int) -> String {
        "\(field)[\(index)]"
    }

    /// Whether the whole of `value` matches the regular expression `pattern` (an invalid pattern matches nothing).
    /// Each pattern is compiled once per process: the contract has few, and requests use them again and again.
    static func matches(_ value: String, _ pattern: String) -> Bool {
        let regex = compiled.withLock { cache -> Regex<AnyRegexOutput>? in
            if let known = cache[pattern] { return known }
            let made = try? Regex(pattern)
            cache[pattern] = made
            return made
        }
        guard let regex else { return false }
        return (try? regex.wholeMatch(in: value)) != nil
    }

    private static let compiled = Mutex<[String: Regex<AnyRegexOutput>?]>([:])
}

import ClinicProto
import Foundation
import SwiftProtobuf
import SwiftProtobufPluginLibrary

/// JSON Schemas (OpenAPI 3.0) of the messages the routed rpcs send and receive, stating every field rule.
///
/// A message that travels both ways gets two schemas: the one clients send, with its rules (`<full name>.Input`),
/// and the one replies hold (`<full name>`), which states types only: proto3 JSON leaves out default values, so a
/// reply promises no field, and a reply's phone is masked where a request's must be a whole number.
struct OpenAPISchemas {
    private(set) var messages: [String: Descriptor] = [:]
    private(set) var inputs: Set<String> = []
    private(set) var outputs: Set<String> = []
    private var checked: [String: Bool] = [:]

    init(inputs: [Descriptor], outputs: [Descriptor]) {
        func collect(_ message: Descriptor, into set: inout Set<String>) {
            guard message.wellKnownType == nil, set.insert(message.fullName).inserted else { return }
            messages[message.fullName] = message
            for field in message.fields where field.type == .message { collect(field.messageType, into: &set) }
        }
        for message in inputs { collect(message, into: &self.inputs) }
        for message in outputs { collect(message, into: &self.outputs) }
        for name in messages.keys.sorted() { _ = computeChecks(messages[name]!, visiting: []) }
    }

    /// Whether a message has any rule, itself or in a message it holds.
    func hasChecks(_ message: Descriptor) -> Bool {
        if let known = checked[message.fullName] { return known }
        var copy = self
        return copy.computeChecks(message, visiting: [])
    }

    private mutating func computeChecks(_ message: Descriptor, visiting: Set<String>) -> Bool {
        if let known = checked[message.fullName] { return known }
        guard message.wellKnownType == nil, message.file.package.hasPrefix("clinic."), !visiting.contains(message.fullName) else {
            return false
        }
        let rules = message.options.Clinic_Api_V1_messageRules
        var result = !rules.exactlyOneOf.isEmpty || !rules.atLeastOneOf.isEmpty
        for field in message.fields {
            // Every string is checked (for U+0000), with or without rules.
            if field.options.hasClinic_Api_V1_rules || field.type == .string { result = true }
            if field.type == .message, computeChecks(field.messageType, visiting: visiting.union([message.fullName])) {
                result = true
            }
        }
        checked[message.fullName] = result
        return result
    }

    func inputName(_ message: Descriptor) -> String {
        outputs.contains(message.fullName) ? message.fullName + ".Input" : message.fullName
    }

    func outputName(_ message: Descriptor) -> String { message.fullName }

    // MARK: Documents

    /// Every schema, keyed by name.
    func all() -> [String: Any] {
        var out: [String: Any] = [:]
        for name in inputs { out[inputName(messages[name]!)] = object(messages[name]!, input: true) }
        for name in outputs { out[outputName(messages[name]!)] = object(messages[name]!, input: false) }
        return out
    }

    /// The path and query parameters of a route.
    func parameters(for route: Route) -> [[String: Any]] {
        var out: [[String: Any]] = route.variables.map { variable in
            parameter(variable.name, in: "path", field: variable.field, required: true)
        }
        guard !route.hasBody else { return out }
        let bound = Set(route.variables.map { $0.protoPath.joined(separator: ".") })
        for field in route.method.inputType.fields where !bound.contains(field.name) && !field.isRepeated {
            guard field.type != .message || field.messageType.wellKnownType == .timestamp else { continue }
            out.append(parameter(field.name, in: "query", field: field, required: field.options.Clinic_Api_V1_rules.required))
        }
        for alias in route.aliases {
            out.append(parameter(alias.name, in: "query", field: alias.field, required: false))
        }
        return out
    }

    private func parameter(_ name: String, in place: String, field: FieldDescriptor, required: Bool) -> [String: Any] {
        var parameter: [String: Any] = ["name": name, "in": place, "required": required,
                                        "schema": schema(of: field, input: true, allowEmpty: !required)]
        if let description = comment(field) { parameter["description"] = description }
        return parameter
    }

    /// The body schema of a route with a body: the request message less the fields its path fills.
    func body(for route: Route) -> [String: Any] {
        let bound = route.variables.map(\.protoPath)
        return bound.isEmpty ? reference(route.method.inputType, input: true) : object(route.method.inputType, input: true, without: bound)
    }

    // MARK: Schemas

    private func reference(_ message: Descriptor, input: Bool) -> [String: Any] {
        if message.wellKnownType == .timestamp { return ["type": "string", "format": "date-time"] }
        if message.wellKnownType != nil { return [:] }
        return ["$ref": "#/components/schemas/" + (input ? inputName(message) : outputName(message))]
    }

    /// A message as a JSON object; `without` names fields (proto paths) to leave out, such as those a path fills.
    private func object(_ message: Descriptor, input: Bool, without removed: [[String]] = []) -> [String: Any] {
        var properties: [String: Any] = [:]
        var required: [String] = []
        for field in message.fields {
            let nested = removed.filter { $0.first == field.name }
            if nested.contains(where: { $0.count == 1 }) { continue }
            var property: [String: Any]
            if !nested.isEmpty {
                property = object(field.messageType, input: input, without: nested.map { Array($0.dropFirst()) })
            } else {
                let rules = field.options.Clinic_Api_V1_rules
                property = schema(of: field, input: input, allowEmpty: !(input && rules.required))
                if input, rules.required { required.append(jsonName(field)) }
                // proto3 JSON reads null as "not given": an optional field may be sent as null.
                if input, !rules.required { property = Self.nullable(property) }
            }
            if let description = comment(field), property["$ref"] == nil { property["description"] = description }
            properties[jsonName(field)] = property
        }
        var object: [String: Any] = ["type": "object", "properties": properties]
        if let description = comment(message) { object["description"] = description }
        guard input else { return object }
        object["additionalProperties"] = false
        if !required.isEmpty { object["required"] = required }
        let rules = message.options.Clinic_Api_V1_messageRules
        // A member of a group counts as given when present with a value proto3 does not read as "not given".
        func given(_ group: Clinic_Api_V1_FieldGroup) -> [[String: Any]] {
            group.fields.compactMap { name in message.fields.first { $0.name == name } }.map { field in
                ["required": [jsonName(field)], "properties": [jsonName(field): Self.givenValue(field)]]
            }
        }
        var combined: [[String: Any]] = []
        for group in rules.exactlyOneOf { combined.append(["oneOf": given(group)]) }
        for group in rules.atLeastOneOf { combined.append(["anyOf": given(group)]) }
        if combined.count == 1 { object.merge(combined[0]) { $1 } } else if !combined.isEmpty { object["allOf"] = combined }
        return object
    }

    /// `schema`, admitting null as well.
    static func nullable(_ schema: [String: Any]) -> [String: Any] {
        if schema["$ref"] != nil { return ["allOf": [schema], "nullable": true] }
        if let alternatives = schema["anyOf"] as? [[String: Any]], schema.count == 1 {
            return ["anyOf": alternatives.map(nullable)]
        }
        var copy = schema
        copy["nullable"] = true
        // OpenAPI 3.0: an enum admits null only when it lists it.
        if var values = copy["enum"] as? [Any] {
            values.append(NSNull())
            copy["enum"] = values
        }
        return copy
    }

    /// What a field's value must be for proto3 to read it as given: a non-empty string or list, a number other
    /// than zero, an enum value other than the zero one (by name or number), an object.
    static func givenValue(_ field: FieldDescriptor) -> [String: Any] {
        if field.isRepeated { return ["type": "array", "minItems": 1] }
        switch field.type {
        case .string, .bytes: return ["type": "string", "minLength": 1]
        case .message: return field.messageType.wellKnownType == .timestamp ? ["type": "string"] : ["type": "object"]
        case .bool: return ["enum": [true]]
        // By name or by number, as the gateway takes enums: anything but the zero value.
        case .enum: return ["not": ["enum": [field.enumType.values.first { $0.number == 0 }?.name ?? "", 0, NSNull()]]]
        default: return ["not": ["enum": [0, "0", NSNull()]]]
        }
    }

    /// A field's schema. On the input side it states the field's rules; `allowEmpty` admits the empty value,
    /// which proto3 reads as "not given", beside the values the rules allow.
    func schema(of field: FieldDescriptor, input: Bool, allowEmpty: Bool) -> [String: Any] {
        let rules = input ? field.options.Clinic_Api_V1_rules : Clinic_Api_V1_FieldRules()
        if field.isRepeated {
            var array: [String: Any] = ["type": "array"]
            let itemRules = rules.hasItems ? rules.items : Clinic_Api_V1_FieldRules()
            array["items"] = singular(field, rules: itemRules, input: input, allowEmpty: !itemRules.required)
            if rules.hasMaxItems { array["maxItems"] = Int(rules.maxItems) }
            let minItems = max(Int(rules.minItems), rules.required ? 1 : 0)
            if minItems > 0 { array["minItems"] = minItems }
            return array
        }
        return singular(field, rules: rules, input: input, allowEmpty: allowEmpty)
    }

    private func singular(_ field: FieldDescriptor, rules: Clinic_Api_V1_FieldRules, input: Bool, allowEmpty: Bool) -> [String: Any] {
        var schema: [String: Any]
        var excludesEmpty = false
        switch field.type {
        case .message:
            return reference(field.messageType, input: input)
        case .string:
            schema = ["type": "string"]
            switch rules.format {
            case .uuid: schema["format"] = "uuid"
            case .date: schema["format"] = "date"
            case .timeOfDay: schema["pattern"] = #"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"#
            case .mainlandMobile: schema["pattern"] = "^1[3-9][0-9]{9}$"
            case .fdiTooth: schema["enum"] = Self.teeth.map(String.init)
            case .unspecified: break
            }
            if rules.hasFormat, rules.format != .unspecified { excludesEmpty = true }
            var patterns: [String] = []
            if rules.hasPattern { patterns.append(rules.pattern) }
            if rules.noControlCharacters { patterns.append(Self.noControlCharacters) }
            if rules.required, schema["pattern"] == nil, schema["format"] == nil, patterns.isEmpty { patterns.append(#"\S"#) }
            // No text may hold U+0000 (PostgreSQL's text cannot); a format, a pattern or the control-character rule
            // already keeps it out.
            if schema["pattern"] == nil, schema["format"] == nil, schema["enum"] == nil, !rules.hasPattern, !rules.noControlCharacters {
                patterns.append(Self.noNUL)
            }
            if let existing = schema["pattern"] as? String { patterns.insert(existing, at: 0) }
            if patterns.count == 1 { schema["pattern"] = patterns[0] } else if patterns.count > 1 {
                schema["pattern"] = nil
                schema["allOf"] = patterns.map { ["pattern": $0] }
            }
            if !patterns.isEmpty { excludesEmpty = true }
            let minLength = max(Int(rules.minLength), rules.required ? 1 : 0)
            if minLength > 0 { schema["minLength"] = minLength; excludesEmpty = true }
            if rules.hasMaxLength { schema["maxLength"] = Int(rules.maxLength) }
            if rules.hasExample { schema["example"] = rules.example }
            if allowEmpty, excludesEmpty, !rules.required { return ["anyOf": [["type": "string", "maxLength": 0], schema]] }
            return schema
        case .bytes:
            return ["type": "string", "format": "byte"]
        case .bool:
            return ["type": "boolean"]
        case .double, .float:
            return ["type": "number"]
        case .enum:
            // proto3 JSON takes an enum value by name or by number.
            var values = field.enumType.values
            if rules.required { values.removeAll { $0.number == 0 } }
            let names: [String: Any] = ["type": "string", "enum": values.map(\.name)]
            guard input else { return names }
            return ["anyOf": [names, ["type": "integer", "enum": values.map { Int($0.number) }]]]
        case .int64, .sint64, .sfixed64, .uint64, .fixed64:
            // proto3 JSON writes 64-bit integers as strings (and reads either form).
            let unsigned = [.uint64, .fixed64].contains(field.type) || (rules.hasMin && rules.min >= 0)
            schema = ["type": "string", "format": unsigned && [.uint64, .fixed64].contains(field.type) ? "uint64" : "int64"]
            guard input else { return schema }
            // Read from a string of digits or from a JSON number (up to 2^53, which a number holds exactly).
            schema["pattern"] = unsigned ? "^(0|[1-9][0-9]{0,17})$" : "^(0|-?[1-9][0-9]{0,17})$"
            let limit: Int64 = 1 << 53
            let number: [String: Any] = ["type": "integer", "minimum": rules.hasMin ? max(rules.min, -limit) : (unsigned ? 0 : -limit),
                                         "maximum": rules.hasMax ? min(rules.max, limit) : limit]
            return ["anyOf": [schema, number]]
        default:
            let unsigned = [.uint32, .fixed32].contains(field.type)
            var low: Int64 = unsigned ? 0 : Int64(Int32.min), high: Int64 = unsigned ? Int64(UInt32.max) : Int64(Int32.max)
            if rules.hasMin { low = max(low, rules.min) }
            if rules.hasMax { high = min(high, rules.max) }
            func range(_ low: Int64, _ high: Int64) -> [String: Any] {
                ["type": "integer", "format": unsigned ? "int64" : "int32", "minimum": low, "maximum": high]
            }
            if rules.hasFormat, rules.format == .fdiTooth {
                schema = ["type": "integer", "enum": Self.teeth]
            } else if rules.required, low <= 0, high >= 0 {
                // Zero means "not given".
                let parts = [low <= -1 ? range(low, -1) : nil, high >= 1 ? range(1, high) : nil].compactMap { $0 }
                schema = parts.count == 1 ? parts[0] : ["anyOf": parts]
            } else if !rules.required, allowEmpty, low > 0 || high < 0 {
                schema = ["anyOf": [["type": "integer", "enum": [0]], range(low, high)]]
            } else {
                schema = range(low, high)
            }
            if rules.hasExample, let example = Int(rules.example) { schema["example"] = example }
            return schema
        }
    }

    /// A pattern admitting any text without U+0000.
    static let noNUL = #"^[^\u0000]*$"#

    /// FDI tooth numbers, permanent then primary.
    static let teeth: [Int] = (11...85).filter { number in
        let quadrant = number / 10, position = number % 10
        return (1...4).contains(quadrant) ? (1...8).contains(position) : (5...8).contains(quadrant) && (1...5).contains(position)
    }

    /// A pattern admitting no control (Cc) or format (Cf) character of the Basic Multilingual Plane, made from
    /// the same Unicode properties the runtime check reads.
    static let noControlCharacters: String = {
        var ranges: [(UInt32, UInt32)] = []
        for value in UInt32(0)...0xFFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let category = scalar.properties.generalCategory
            guard category == .control || category == .format else { continue }
            if let last = ranges.last, last.1 + 1 == value { ranges[ranges.count - 1].1 = value } else { ranges.append((value, value)) }
        }
        func escape(_ value: UInt32) -> String { String(format: "\\u%04x", value) }
        let set = ranges.map { $0.0 == $0.1 ? escape($0.0) : escape($0.0) + "-" + escape($0.1) }.joined()
        return "^[^" + set + "]*$"
    }()

    /// A descriptor's leading comment on one line, if it has one.
    private func comment(_ item: some ProvidesSourceCodeLocation) -> String? {
        let text = (item.sourceCodeInfoLocation?.leadingComments ?? "").split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
        return text.isEmpty ? nil : text
    }
}

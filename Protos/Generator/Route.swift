import ClinicProto
import SwiftProtobufPluginLibrary

/// An rpc's `(clinic.api.v1.http)` option, checked against its request message.
struct Route {
    /// A `{field.path}` segment of the template.
    struct Variable {
        /// The OpenAPI parameter name: the last part of the proto field path.
        let name: String
        /// Proto names along the path, e.g. `["override", "doctor_id"]`.
        let protoPath: [String]
        /// Dotted proto3 JSON names, e.g. `override.doctorId`.
        let jsonPath: String
        /// The field the value fills.
        let field: FieldDescriptor
    }

    /// A short query parameter name for a nested field.
    struct Alias {
        let name: String
        let jsonPath: String
        let field: FieldDescriptor
    }

    let method: MethodDescriptor
    let verb: String
    let openAPIPath: String
    let variables: [Variable]
    let hasBody: Bool
    let created: Bool
    let aliases: [Alias]
    let timeoutMS: Int
    /// The media type of a raw (`HttpBody`) response; empty for JSON.
    let produces: String

    init(_ method: MethodDescriptor) throws {
        self.method = method
        let rule = method.options.Clinic_Api_V1_http
        let where_ = "\(method.service.fullName)/\(method.name)"
        let template: String
        switch rule.pattern {
        case .get(let path)?: (verb, template) = ("get", path)
        case .put(let path)?: (verb, template) = ("put", path)
        case .post(let path)?: (verb, template) = ("post", path)
        case .delete(let path)?: (verb, template) = ("delete", path)
        case .patch(let path)?: (verb, template) = ("patch", path)
        case nil: throw ContractError("\(where_): the http option names no verb and path")
        }
        guard template.hasPrefix("/") else { throw ContractError("\(where_): the path must start with /") }
        switch rule.body {
        case "*": hasBody = true
        case "": hasBody = false
        default: throw ContractError("\(where_): body must be \"*\" or empty (a single body field is not supported)")
        }
        if hasBody, verb == "get" || verb == "delete" { throw ContractError("\(where_): \(verb) takes no body") }
        created = rule.created
        timeoutMS = Int(rule.timeoutMs)
        produces = rule.produces
        let raw = method.outputType.fullName == "clinic.api.v1.HttpBody"
        if raw, produces.isEmpty { throw ContractError("\(where_): an rpc returning HttpBody must say what it produces") }
        if !raw, !produces.isEmpty { throw ContractError("\(where_): produces is only for an rpc returning clinic.api.v1.HttpBody") }

        var variables: [Variable] = []
        var segments: [String] = []
        for segment in template.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            guard segment.hasPrefix("{"), segment.hasSuffix("}") else {
                guard !segment.isEmpty, !segment.contains("{"), !segment.contains("}") else {
                    throw ContractError("\(where_): path segment '\(segment)' is neither literal nor {field}")
                }
                segments.append(String(segment))
                continue
            }
            let protoPath = segment.dropFirst().dropLast().split(separator: ".").map(String.init)
            let fields = try Self.resolve(protoPath, in: method.inputType, where: where_)
            guard let last = fields.last, !last.isRepeated, last.type == .string else {
                throw ContractError("\(where_): path variable {\(protoPath.joined(separator: "."))} must name a string field")
            }
            let variable = Variable(name: last.name, protoPath: protoPath, jsonPath: fields.map(jsonName).joined(separator: "."),
                                    field: last)
            guard !variables.contains(where: { $0.name == variable.name }) else {
                throw ContractError("\(where_): two path variables end in '\(variable.name)'")
            }
            variables.append(variable)
            segments.append("{\(variable.name)}")
        }
        self.variables = variables
        openAPIPath = "/" + segments.joined(separator: "/")
        aliases = try rule.queryAliases.map { alias in
            let fields = try Self.resolve(alias.field.split(separator: ".").map(String.init), in: method.inputType, where: where_)
            guard let last = fields.last, !last.isRepeated, last.type != .message else {
                throw ContractError("\(where_): query alias \(alias.name) must name a scalar field")
            }
            return Alias(name: alias.name, jsonPath: fields.map(jsonName).joined(separator: "."), field: last)
        }
    }

    /// The fields along a dotted proto path, each but the last a singular message field.
    static func resolve(_ path: [String], in message: Descriptor, where place: String) throws -> [FieldDescriptor] {
        var fields: [FieldDescriptor] = []
        var current: Descriptor? = message
        for name in path {
            guard let type = current, let field = type.fields.first(where: { $0.name == name }) else {
                throw ContractError("\(place): \(path.joined(separator: ".")) is not a field of \(message.fullName)")
            }
            fields.append(field)
            current = field.type == .message && !field.isRepeated ? field.messageType : nil
        }
        return fields
    }
}

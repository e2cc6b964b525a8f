import ClinicBus
import Foundation
import SwiftProtobuf

/// Builds a request message from a proto3 JSON body plus path and query parameters (parameters win).
enum RequestBinding {
    /// Decodes, merges and re-encodes to protobuf binary; failures name the field or parameter at fault.
    static func bind<Message: SwiftProtobuf.Message>(_ type: Message.Type, body: [UInt8],
                                                     parameters: [(field: String, value: String)]) throws(GatewayError) -> [UInt8] {
        var message = Message()
        if body.contains(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) {
            do {
                message = try Message(jsonUTF8Bytes: body)
            } catch {
                throw describe(error, of: Message.self, field: culprit(in: body, of: Message.self))
            }
        }
        if !parameters.isEmpty {
            // All parameters in one JSON object, decoded once; only when that fails are they tried one by one,
            // to name the parameter at fault.
            do {
                let fromParameters: Message
                do {
                    fromParameters = try Message(jsonUTF8Bytes: Array(json(for: parameters).utf8))
                } catch JSONDecodingError.unrecognizedEnumValue {
                    // An enum given by its number (`?status=2`): proto3 JSON takes it as a bare number, not a string.
                    let numbered = Set(parameters.filter { isNumberedEnum($0, of: Message.self) }.map(\.field))
                    guard !numbered.isEmpty else { throw JSONDecodingError.unrecognizedEnumValue }
                    fromParameters = try Message(jsonUTF8Bytes: Array(json(for: parameters, bare: numbered).utf8))
                }
                if message.isEqualTo(message: Message()) {
                    message = fromParameters
                } else {
                    try message.merge(serializedBytes: try fromParameters.serializedBytes() as [UInt8])
                }
            } catch {
                for parameter in parameters where !isNumberedEnum(parameter, of: Message.self) {
                    do {
                        _ = try Message(jsonUTF8Bytes: Array(json(for: parameter).utf8))
                    } catch {
                        throw describe(error, of: Message.self, field: parameter.field)
                    }
                }
                throw describe(error, of: Message.self, field: parameters.first?.field)
            }
        }
        do {
            return try message.serializedBytes()
        } catch {
            throw GatewayError(.internal, "could not encode \(Message.protoMessageName)")
        }
    }

    /// Which of `candidates` (top-level JSON field names) are singular string fields of `type`, with their field
    /// numbers. Each is probed once: `{"name":"probe"}` must encode to exactly that string under one field number,
    /// which rules out bytes, enums, numbers, messages, wrappers and repeated fields.
    static func stringFieldNumbers<Message: SwiftProtobuf.Message>(_ type: Message.Type, candidates: Set<String>) -> [String: Int] {
        let probe = Array("probe".utf8)
        var numbers: [String: Int] = [:]
        for name in candidates where !name.contains(".") {
            guard let message = try? Message(jsonUTF8Bytes: Array(json(for: (name, "probe")).utf8)),
                  let encoded = try? message.serializedBytes() as [UInt8] else { continue }
            var tagLength = 0
            guard let tag = encoded.withUnsafeBytes({ ProtobufVarint.read($0, at: &tagLength) }), tag & 7 == 2, tag >> 3 > 0,
                  encoded.count == tagLength + 1 + probe.count, encoded[tagLength] == UInt8(probe.count),
                  Array(encoded[(tagLength + 1)...]) == probe else { continue }
            numbers[name] = Int(tag >> 3)
        }
        return numbers
    }

    /// The binary encoding of a message holding only `parameters`, when every one of them fills a string field
    /// in `numbers` (nil otherwise): the same bytes `bind` would produce, without the JSON round trip.
    static func encodeStringFields(_ parameters: [(field: String, value: String)], numbers: [String: Int]) -> [UInt8]? {
        var fields: [(number: Int, value: String)] = []
        for parameter in parameters {
            guard let number = numbers[parameter.field] else { return nil }
            // A later parameter for the same field wins, as in `bind`.
            if let index = fields.firstIndex(where: { $0.number == number }) { fields.remove(at: index) }
            fields.append((number, parameter.value))
        }
        var out: [UInt8] = []
        for (number, value) in fields.sorted(by: { $0.number < $1.number }) where !value.isEmpty {
            ProtobufVarint.append(UInt64(number) << 3 | 2, to: &out)
            ProtobufVarint.append(UInt64(value.utf8.count), to: &out)
            out.append(contentsOf: value.utf8)
        }
        return out
    }

    /// `{"a":{"b":"value"}}` for field `a.b`; `true`/`false` stay literals, everything else is a JSON string
    /// (proto3 JSON accepts quoted numbers for every integer type).
    static func json(for parameter: (field: String, value: String)) -> String {
        let value = parameter.value == "true" || parameter.value == "false" ? parameter.value : JSONText.quote(parameter.value)
        let path = parameter.field.split(separator: ".")
        var out = value
        for name in path.reversed() { out = "{\(JSONText.quote(String(name))):\(out)}" }
        return out
    }

    /// Whether `parameter` names an enum field by its number: its digits fail as a quoted name and decode bare.
    static func isNumberedEnum<Message: SwiftProtobuf.Message>(_ parameter: (field: String, value: String), of type: Message.Type) -> Bool {
        guard !parameter.value.isEmpty, parameter.value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        do {
            _ = try Message(jsonUTF8Bytes: Array(json(for: parameter).utf8))
            return false
        } catch JSONDecodingError.unrecognizedEnumValue {
            return (try? Message(jsonUTF8Bytes: Array(json(for: [parameter], bare: [parameter.field]).utf8))) != nil
        } catch {
            return false
        }
    }

    /// One JSON object holding every parameter, nested along dotted field names; a later parameter for the
    /// same field wins, as it did when parameters were merged one after another. The values of the fields in `bare`
    /// go in as they are (numbers), every other value as a JSON string.
    static func json(for parameters: [(field: String, value: String)], bare: Set<String> = []) -> String {
        final class Node {
            var value: String?
            var children: [(name: String, node: Node)] = []
            func child(_ name: String) -> Node {
                if let found = children.first(where: { $0.name == name }) { return found.node }
                let node = Node()
                children.append((name, node))
                return node
            }
            func render() -> String {
                if let value, children.isEmpty { return value }
                return "{" + children.map { JSONText.quote($0.name) + ":" + $0.node.render() }.joined(separator: ",") + "}"
            }
        }
        let root = Node()
        for parameter in parameters {
            var node = root
            for name in parameter.field.split(separator: ".") { node = node.child(String(name)) }
            node.value = parameter.value == "true" || parameter.value == "false" || bare.contains(parameter.field)
                ? parameter.value : JSONText.quote(parameter.value)
            node.children = []
        }
        return root.render()
    }

    /// The dotted name of the body field that fails to decode on its own (e.g. `prospect.gender` for a bad enum),
    /// so that the error can name it; nil when the body is no JSON object or no single field is at fault.
    static func culprit<Message: SwiftProtobuf.Message>(in body: [UInt8], of type: Message.Type) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return nil }
        func decodes(_ path: [String], _ value: Any) -> Bool {
            var wrapped = value
            for name in path.reversed() { wrapped = [name: wrapped] }
            guard let data = try? JSONSerialization.data(withJSONObject: wrapped, options: [.fragmentsAllowed]) else { return false }
            return (try? Message(jsonUTF8Bytes: Array(data))) != nil
        }
        func search(_ object: [String: Any], under path: [String]) -> String? {
            for key in object.keys.sorted() {
                guard let value = object[key], !decodes(path + [key], value) else { continue }
                if let nested = value as? [String: Any], let deeper = search(nested, under: path + [key]) { return deeper }
                return (path + [key]).joined(separator: ".")
            }
            return nil
        }
        return search(object, under: [])
    }

    private static func describe(_ error: any Error, of type: any SwiftProtobuf.Message.Type, field: String?) -> GatewayError {
        if case JSONDecodingError.unknownField(let name) = error {
            return GatewayError(.invalidArgument, "\(name): is not a field of \(type.protoMessageName)",
                                details: [(name, "is not a field of \(type.protoMessageName)")])
        }
        let reason: String
        switch error {
        case JSONDecodingError.malformedNumber, JSONDecodingError.numberRange, JSONDecodingError.leadingZero: reason = "must be a number in range"
        case JSONDecodingError.malformedBool: reason = "must be true or false"
        case JSONDecodingError.unrecognizedEnumValue: reason = "is not a known enum value"
        case JSONDecodingError.malformedTimestamp: reason = "must be an RFC 3339 timestamp"
        case JSONDecodingError.truncated, JSONDecodingError.trailingGarbage, JSONDecodingError.invalidUTF8: reason = "is not valid JSON"
        default: reason = "does not match \(type.protoMessageName) in proto3 JSON form (\(error))"
        }
        let name = field ?? "body"
        return GatewayError(.invalidArgument, "\(name): \(reason)", details: [(name, reason)])
    }
}

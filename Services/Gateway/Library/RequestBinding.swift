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
        for parameter in parameters {
            do {
                let single = try Message(jsonUTF8Bytes: Array(json(for: parameter).utf8))
                try message.merge(serializedBytes: try single.serializedBytes() as [UInt8])
            } catch {
                throw describe(error, of: Message.self, field: parameter.field)
            }
        }
        do {
            return try message.serializedBytes()
        } catch {
            throw GatewayError(.internal, "could not encode \(Message.protoMessageName)")
        }
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

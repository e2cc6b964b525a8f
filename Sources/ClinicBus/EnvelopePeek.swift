/// Reads the few envelope fields the broker routes by straight from protobuf wire bytes, without decoding
/// whole headers: request id and deadline of a `RequestHeader`, request id of a `ReplyHeader`.
///
/// It walks every field of the message, so input that is not well-formed protobuf (a truncated field, a bad
/// wire type, a field number 0, a request id that is not UTF-8) is refused just as a full decode refuses it,
/// and a field with an unexpected wire type is passed over as a decoder keeps it aside as unknown.
enum EnvelopePeek {
    /// The routing fields of an encoded `clinic.bus.v1.RequestHeader`.
    struct RequestFields: Equatable {
        var requestID: String
        var deadlineUnixMs: Int64
    }

    /// `request_id` (field 2) and `deadline_unix_ms` (field 3) of a request header; nil if the bytes are malformed.
    static func requestFields(_ bytes: [UInt8]) -> RequestFields? {
        var fields = RequestFields(requestID: "", deadlineUnixMs: 0)
        let ok = bytes.withUnsafeBytes { raw in
            walk(raw) { number, value in
                switch (number, value) {
                case (2, .bytes(let range)):
                    guard let text = String(validating: raw[range], as: UTF8.self) else { return false }
                    fields.requestID = text
                case (3, .varint(let number)): fields.deadlineUnixMs = Int64(bitPattern: number)
                // A known field with another wire type is kept as an unknown field by a decoder, not refused.
                default: break
                }
                return true
            }
        }
        return ok ? fields : nil
    }

    /// `request_id` (field 1) of a reply header; nil if the bytes are malformed.
    static func replyRequestID(_ bytes: [UInt8]) -> String? {
        var requestID = ""
        let ok = bytes.withUnsafeBytes { raw in
            walk(raw) { number, value in
                guard number == 1, case .bytes(let range) = value else { return true }
                guard let text = String(validating: raw[range], as: UTF8.self) else { return false }
                requestID = text
                return true
            }
        }
        return ok ? requestID : nil
    }

    private enum FieldValue {
        case varint(UInt64)
        case bytes(Range<Int>)
        case fixed
    }

    /// Calls `visit` for each top-level field; false if the encoding is malformed or `visit` refuses a field.
    private static func walk(_ raw: UnsafeRawBufferPointer, _ visit: (UInt64, FieldValue) -> Bool) -> Bool {
        var index = 0
        while index < raw.count {
            guard let key = ProtobufVarint.read(raw, at: &index) else { return false }
            let number = key >> 3
            guard number > 0, number <= 0x1FFF_FFFF else { return false }
            let value: FieldValue
            switch key & 7 {
            case 0:
                guard let number = ProtobufVarint.read(raw, at: &index) else { return false }
                value = .varint(number)
            case 1:
                guard raw.count - index >= 8 else { return false }
                index += 8
                value = .fixed
            case 2:
                guard let length = ProtobufVarint.read(raw, at: &index), length <= UInt64(raw.count - index) else { return false }
                value = .bytes(index..<index + Int(length))
                index += Int(length)
            case 5:
                guard raw.count - index >= 4 else { return false }
                index += 4
                value = .fixed
            default:
                return false
            }
            guard visit(number, value) else { return false }
        }
        return true
    }
}

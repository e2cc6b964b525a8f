@testable import ClinicBus
import ClinicProto
import Testing

@Suite struct EnvelopePeekTests {
    @Test(arguments: [Int64(0), 1, 1_763_884_800_000, Int64.max, -1, Int64.min])
    func readsWhatSwiftProtobufWrites(deadline: Int64) throws {
        var header = Clinic_Bus_V1_RequestHeader()
        header.method = "clinic.reception.v1.Reception/GetPatient"
        header.requestID = "req-é-\(deadline)"
        header.deadlineUnixMs = deadline
        header.caller.subject = "desk-01"
        header.caller.role = "desk"
        header.idempotencyKey = "key"
        header.traceID = "trace"
        let fields = EnvelopePeek.requestFields(try header.serializedBytes())
        #expect(fields == .init(requestID: header.requestID, deadlineUnixMs: deadline))
    }

    @Test func emptyHeaderHasNoIDAndNoDeadline() {
        #expect(EnvelopePeek.requestFields([]) == .init(requestID: "", deadlineUnixMs: 0))
    }

    @Test func replyRequestIDMatchesAFullDecode() throws {
        var reply = Clinic_Bus_V1_ReplyHeader()
        reply.requestID = "r-42"
        reply.code = .alreadyExists
        reply.message = "taken"
        var violation = Clinic_Bus_V1_FieldViolation()
        violation.field = "phone"
        reply.violations = [violation]
        #expect(EnvelopePeek.replyRequestID(try reply.serializedBytes()) == "r-42")
    }

    @Test func unknownFieldsAreSkippedLikeADecoderSkipsThem() throws {
        // Field 9 as fixed64, field 10 as fixed32, then request_id.
        let bytes: [UInt8] = [0x49] + [UInt8](repeating: 7, count: 8) + [0x55, 1, 2, 3, 4] + [0x12, 0x02, 0x61, 0x62]
        #expect(EnvelopePeek.requestFields(bytes)?.requestID == "ab")
        #expect((try? Clinic_Bus_V1_RequestHeader(serializedBytes: bytes))?.requestID == "ab")
    }

    @Test func aKnownFieldWithAnotherWireTypeIsPassedOverAsUnknown() throws {
        // request_id as a varint, deadline as bytes, then a real request_id.
        let bytes: [UInt8] = [0x10, 0x01, 0x1a, 0x01, 0x00, 0x12, 0x01, 0x78]
        #expect(EnvelopePeek.requestFields(bytes) == .init(requestID: "x", deadlineUnixMs: 0))
        let decoded = try Clinic_Bus_V1_RequestHeader(serializedBytes: bytes)
        #expect(decoded.requestID == "x" && decoded.deadlineUnixMs == 0)
    }

    @Test(arguments: [
        [0x12, 0x05, 0x61],              // length runs past the end
        [0x12],                          // key with no length
        [0x18, 0xff, 0xff],              // truncated varint
        [0x12, 0x02, 0xff, 0xfe],        // request id not UTF-8
        [0x03, 0x00],                    // group start (wire type 3)
        [0x00, 0x00],                    // field number 0
        [0x49, 1, 2, 3],                 // truncated fixed64
        [0x18] + [UInt8](repeating: 0xff, count: 11),  // varint longer than 10 bytes
    ] as [[UInt8]])
    func refusesWhatADecoderRefuses(_ bytes: [UInt8]) {
        #expect(EnvelopePeek.requestFields(bytes) == nil)
        #expect((try? Clinic_Bus_V1_RequestHeader(serializedBytes: bytes)) == nil)
    }
}

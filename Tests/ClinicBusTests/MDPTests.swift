@testable import ClinicBus
import Testing

@Suite struct MDPTests {
    @Test(arguments: [
        BusMessage.clientRequest(service: "clinic.a.v1", header: [1, 2], payload: [3]),
        .clientReply(service: "clinic.a.v1", header: [1], payload: []),
        .ready(service: "clinic.a.v1"),
        .workerRequest(client: [9, 9], header: [1], payload: [2]),
        .workerReply(client: [9], header: [], payload: [2, 3]),
        .heartbeat,
        .disconnect,
    ])
    func roundTrips(_ message: BusMessage) throws {
        #expect(try MDPCodec.decode(MDPCodec.encode(message)).get() == message)
    }

    @Test func clientFramesMatchRFC18WithoutDelimiter() {
        let frames = MDPCodec.encode(.clientRequest(service: "s", header: [7], payload: [8]))
        #expect(frames == [Array("MDPC02".utf8), [0x01], Array("s".utf8), [7], [8]])
    }

    @Test(arguments: [
        [[UInt8]](),
        [Array("MDPC02".utf8)],
        [Array("XXXX01".utf8), [0x01], Array("s".utf8), [], []],
        [Array("MDPC02".utf8), [0x01, 0x02], Array("s".utf8), [], []],
        [Array("MDPC02".utf8), [0x07], Array("s".utf8), [], []],
        [Array("MDPC02".utf8), [0x01], Array("s".utf8), []],
        [Array("MDPC02".utf8), [0x01], [], [], []],
        [Array("MDPC02".utf8), [0x01], [0xff, 0xfe], [], []],
        [Array("MDPW02".utf8), [0x01]],
        [Array("MDPW02".utf8), [0x03], [1], [], [], []],
        [Array("MDPW02".utf8), [0x04], [1], [5], [], []],
        [Array("MDPW02".utf8), [0x04], [], [], [], []],
        [Array("MDPW02".utf8), [0x05], [1]],
        [Array("MDPW02".utf8), [0x09]],
    ] as [[[UInt8]]])
    func rejectsMalformed(_ frames: [[UInt8]]) {
        guard case .failure(let error) = MDPCodec.decode(frames) else {
            Issue.record("accepted \(frames)")
            return
        }
        #expect(!error.reason.isEmpty)
    }

    @Test func malformedClientRequestKeepsHeaderForErrorReply() {
        let result = MDPCodec.decode([Array("MDPC02".utf8), [0x01], Array("s".utf8), [42]])
        guard case .failure(let error) = result else {
            Issue.record("accepted a request without payload frame")
            return
        }
        #expect(error.requestHeader == [42])
        #expect(error.service == "s")
    }
}

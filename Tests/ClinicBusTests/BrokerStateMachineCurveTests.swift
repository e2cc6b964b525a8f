@testable import ClinicBus
import ClinicProto
import Testing

/// The broker state machine on a CURVE bus: the peer stamped on forwarded requests, who may register as a worker,
/// and what a reload of the keys changes. No sockets: peers are names handed in with each message.
@Suite struct BrokerStateMachineCurveTests {
    let client: [UInt8] = [0xc1]
    let worker: [UInt8] = [0xa1]

    static func permissions(_ entries: [(String, [String])]) -> PeerPermissions {
        PeerPermissions(try! AuthorizedKeys(entries: entries.map {
            .init(name: $0.0, publicKey: try! CurveKeyPair.generate().publicKey, services: $0.1)
        }))
    }

    static func curveHarness(_ entries: [(String, [String])]) -> BrokerHarness {
        var harness = BrokerHarness()
        harness.machine = BrokerStateMachine(heartbeatMS: 100, liveness: 3, permissions: permissions(entries))
        return harness
    }

    /// The request header the worker got, decoded.
    static func forwardedHeader(_ actions: [BrokerAction]) -> Clinic_Bus_V1_RequestHeader? {
        for send in BrokerHarness.sends(actions) {
            if case .workerRequest(_, let header, _) = send.message { return try? Clinic_Bus_V1_RequestHeader(serializedBytes: header) }
        }
        return nil
    }

    static func request(id: String, forgedPeer: String) -> [[UInt8]] {
        var header = Clinic_Bus_V1_RequestHeader()
        header.method = "clinic.a.v1.A/Do"
        header.requestID = id
        header.peer = forgedPeer
        return MDPCodec.encode(.clientRequest(service: "clinic.a.v1", header: (try? header.serializedBytes()) ?? [], payload: [1]))
    }

    @Test func theSendersNameReplacesAnyPeerTheClientWrote() {
        var h = Self.curveHarness([("a", []), ("desk", [])])
        _ = h.machine.receive(from: worker, peer: "a", frames: MDPCodec.encode(.ready(service: "clinic.a.v1")), now: h.now)
        let header = Self.forwardedHeader(h.machine.receive(from: client, peer: "desk", frames: Self.request(id: "r1", forgedPeer: "a"),
                                                            now: h.now))
        #expect(header?.peer == "desk")
        #expect(header?.requestID == "r1")
        #expect(header?.method == "clinic.a.v1.A/Do")
    }

    @Test func onAPlainBusThePeerIsAlwaysEmpty() {
        var h = BrokerHarness()
        _ = h.ready(worker)
        let header = Self.forwardedHeader(h.machine.receive(from: client, frames: Self.request(id: "r1", forgedPeer: "staff"), now: h.now))
        #expect(header?.peer == "")
        // The field is there all the same (0x42 0x00 at the end), so nothing a client writes survives.
        #expect(BrokerStateMachine.stamping([0x12, 0x01, 0x78], peer: []) == [0x12, 0x01, 0x78, 0x42, 0x00])
        #expect(BrokerStateMachine.stamping([], peer: Array("desk".utf8)) == [0x42, 0x04] + Array("desk".utf8))
    }

    @Test func aQueuedRequestIsStampedToo() {
        var h = Self.curveHarness([("a", []), ("desk", [])])
        #expect(BrokerHarness.sends(h.machine.receive(from: client, peer: "desk", frames: Self.request(id: "r1", forgedPeer: "x"),
                                                      now: h.now)).isEmpty)
        let header = Self.forwardedHeader(h.machine.receive(from: worker, peer: "a", frames: MDPCodec.encode(.ready(service: "clinic.a.v1")),
                                                            now: h.now))
        #expect(header?.peer == "desk")
    }

    @Test func aWorkerMayRegisterOnlyForAServiceItsNameMayServe() {
        var h = Self.curveHarness([("desk", []), ("imaging", ["clinic.a.v1"]), ("a", [])])
        let refused = h.machine.receive(from: worker, peer: "desk", frames: MDPCodec.encode(.ready(service: "clinic.a.v1")), now: h.now)
        #expect(BrokerHarness.sends(refused).map(\.message) == [.disconnect])
        #expect(h.machine.stats.workers == 0)
        let unlisted = h.machine.receive(from: [0xa9], peer: "", frames: MDPCodec.encode(.ready(service: "clinic.a.v1")), now: h.now)
        #expect(BrokerHarness.sends(unlisted).map(\.message) == [.disconnect])
        _ = h.machine.receive(from: [0xa2], peer: "imaging", frames: MDPCodec.encode(.ready(service: "clinic.a.v1")), now: h.now)
        _ = h.machine.receive(from: [0xa3], peer: "a", frames: MDPCodec.encode(.ready(service: "clinic.a.v1")), now: h.now)
        #expect(h.machine.stats.workers == 2)
    }

    @Test func onAPlainBusAnyoneMayRegister() {
        var h = BrokerHarness()
        _ = h.machine.receive(from: worker, peer: "", frames: MDPCodec.encode(.ready(service: "clinic.anything.v1")), now: h.now)
        #expect(h.machine.stats.workers == 1)
    }

    @Test func aReloadDropsWorkersNoLongerAllowedAndRefusesRemovedClients() {
        var h = Self.curveHarness([("a", []), ("desk", [])])
        _ = h.machine.receive(from: worker, peer: "a", frames: MDPCodec.encode(.ready(service: "clinic.a.v1")), now: h.now)
        _ = h.machine.receive(from: client, peer: "desk", frames: Self.request(id: "r1", forgedPeer: ""), now: h.now)
        // "a" loses its key while it holds r1; "desk" too.
        var actions: [BrokerAction] = []
        h.machine.updatePermissions(Self.permissions([("other", [])]), into: &actions)
        let sends = BrokerHarness.sends(actions)
        #expect(sends.contains { $0.to == worker && $0.message == .disconnect })
        #expect(BrokerHarness.clientReplies(actions).map(\.header.code) == [.unavailable])
        #expect(h.machine.stats.workers == 0)
        let refused = BrokerHarness.clientReplies(h.machine.receive(from: client, peer: "desk", frames: Self.request(id: "r2", forgedPeer: ""),
                                                                    now: h.now))
        #expect(refused.map(\.header.code) == [.unauthenticated])
        #expect(refused.first?.header.requestID == "r2")
    }
}

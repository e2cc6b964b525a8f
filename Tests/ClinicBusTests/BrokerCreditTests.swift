@testable import ClinicBus
import ClinicProto
import Testing

/// Worker credit: a worker may hold several requests; the broker spreads them by load and keeps them apart by id.
@Suite struct BrokerCreditTests {
    let client: [UInt8] = [0xc1]
    let workerA: [UInt8] = [0xa1]
    let workerB: [UInt8] = [0xa2]

    func harness(credit: Int) -> BrokerHarness {
        var harness = BrokerHarness()
        harness.machine = BrokerStateMachine(heartbeatMS: 100, liveness: 3, defaultDeadlineMS: 5000,
                                             maxQueuedPerService: 100, workerCredit: credit)
        return harness
    }

    static func replyHeader(id: String) -> [UInt8] {
        var header = Clinic_Bus_V1_ReplyHeader()
        header.requestID = id
        return (try? header.serializedBytes()) ?? []
    }

    static func dispatchedIDs(_ actions: [BrokerAction], to worker: [UInt8]) -> [String] {
        BrokerHarness.sends(actions).compactMap { send in
            guard send.to == worker, case .workerRequest(_, let header, _) = send.message else { return nil }
            return (try? Clinic_Bus_V1_RequestHeader(serializedBytes: header))?.requestID
        }
    }

    @Test func requestsSpreadByLoadUpToTheCreditThenQueue() {
        var bus = harness(credit: 2)
        _ = bus.ready(workerA)
        _ = bus.ready(workerB)
        var toA: [String] = [], toB: [String] = []
        for id in ["r1", "r2", "r3", "r4", "r5"] {
            let actions = bus.request(from: client, id: id)
            toA += Self.dispatchedIDs(actions, to: workerA)
            toB += Self.dispatchedIDs(actions, to: workerB)
        }
        // Two each, alternating by load; the fifth waits for a free slot.
        #expect(toA.count == 2 && toB.count == 2)
        #expect(Set(toA + toB) == ["r1", "r2", "r3", "r4"])
        #expect(bus.machine.stats.queued == 1)

        // A reply names its request: the right one is retired and the queued one moves up.
        let answered = toA[1]
        let actions = bus.machine.receive(from: workerA, frames: MDPCodec.encode(.workerReply(
            client: client, header: Self.replyHeader(id: answered), payload: [9])), now: bus.now)
        #expect(BrokerHarness.clientReplies(actions).map(\.header.requestID) == [answered])
        #expect(Self.dispatchedIDs(actions, to: workerA) == ["r5"])
        #expect(bus.machine.stats.queued == 0)
    }

    @Test func aDeadWorkerFailsEveryRequestItHeld() {
        var bus = harness(credit: 4)
        _ = bus.ready(workerA)
        for id in ["r1", "r2", "r3"] { _ = bus.request(from: client, id: id) }
        bus.now += 1000
        let actions = bus.machine.tick(now: bus.now)
        let replies = BrokerHarness.clientReplies(actions)
        #expect(Set(replies.map(\.header.requestID)) == ["r1", "r2", "r3"])
        #expect(replies.allSatisfy { $0.header.code == .unavailable })
    }
}

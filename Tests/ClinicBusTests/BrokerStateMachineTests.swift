@testable import ClinicBus
import ClinicProto
import Testing

/// Helpers to drive the broker state machine as peers would.
struct BrokerHarness {
    var machine = BrokerStateMachine(heartbeatMS: 100, liveness: 3, defaultDeadlineMS: 5000, maxQueuedPerService: 2)
    var now: Int64 = 1_000_000

    static func header(id: String, deadline: Int64 = 0) -> [UInt8] {
        var header = Clinic_Bus_V1_RequestHeader()
        header.method = "clinic.a.v1.A/Do"
        header.requestID = id
        header.deadlineUnixMs = deadline
        return (try? header.serializedBytes()) ?? []
    }

    mutating func ready(_ worker: [UInt8], service: String = "clinic.a.v1") -> [BrokerAction] {
        machine.receive(from: worker, frames: MDPCodec.encode(.ready(service: service)), now: now)
    }

    mutating func request(from client: [UInt8], id: String, service: String = "clinic.a.v1", deadline: Int64 = 0,
                          payload: [UInt8] = [1]) -> [BrokerAction] {
        machine.receive(from: client, frames: MDPCodec.encode(.clientRequest(service: service, header: Self.header(id: id, deadline: deadline),
                                                                             payload: payload)), now: now)
    }

    mutating func reply(from worker: [UInt8], to client: [UInt8], payload: [UInt8] = [2]) -> [BrokerAction] {
        machine.receive(from: worker, frames: MDPCodec.encode(.workerReply(client: client, header: [0x0a, 0x01, 0x78], payload: payload)), now: now)
    }

    static func sends(_ actions: [BrokerAction]) -> [(to: [UInt8], message: BusMessage)] {
        actions.compactMap { action in
            guard case .send(let to, let frames) = action, let message = try? MDPCodec.decode(frames).get() else { return nil }
            return (to, message)
        }
    }

    /// The reply headers sent to clients.
    static func clientReplies(_ actions: [BrokerAction]) -> [(to: [UInt8], header: Clinic_Bus_V1_ReplyHeader)] {
        sends(actions).compactMap { send in
            guard case .clientReply(_, let bytes, _) = send.message,
                  let header = try? Clinic_Bus_V1_ReplyHeader(serializedBytes: bytes) else { return nil }
            return (send.to, header)
        }
    }
}

@Suite struct BrokerStateMachineTests {
    let client: [UInt8] = [0xc1]
    let workerA: [UInt8] = [0xa1]
    let workerB: [UInt8] = [0xa2]

    @Test func routesRequestToWorkerAndReplyBackToClient() {
        var h = BrokerHarness()
        _ = h.ready(workerA)
        let dispatched = BrokerHarness.sends(h.request(from: client, id: "r1"))
        #expect(dispatched.count == 1)
        #expect(dispatched.first?.to == workerA)
        guard case .workerRequest(let address, _, let payload)? = dispatched.first?.message else {
            Issue.record("no REQUEST sent to the worker")
            return
        }
        #expect(address == client)
        #expect(payload == [1])
        let back = BrokerHarness.sends(h.reply(from: workerA, to: client, payload: [7]))
        #expect(back.count == 1)
        #expect(back.first?.to == client)
        #expect(back.first?.message == .clientReply(service: "clinic.a.v1", header: [0x0a, 0x01, 0x78], payload: [7]))
    }

    @Test func theProtoServiceNameReachesThePackagesWorkersAndIsAnsweredUnderTheNameAsked() {
        var h = BrokerHarness()
        _ = h.ready(workerA)
        let dispatched = BrokerHarness.sends(h.request(from: client, id: "r1", service: "clinic.a.v1.A"))
        #expect(dispatched.first?.to == workerA)
        // Busy now: the next one waits in the package's queue, still remembered under its own name.
        #expect(BrokerHarness.sends(h.request(from: client, id: "r2", service: "clinic.a.v1.A")).isEmpty)
        #expect(h.machine.stats.queued == 1)
        #expect(h.machine.stats.services == 1)
        let back = BrokerHarness.sends(h.reply(from: workerA, to: client, payload: [7]))
        #expect(back.first?.message == .clientReply(service: "clinic.a.v1.A", header: [0x0a, 0x01, 0x78], payload: [7]))
        #expect(back.last?.to == workerA)
        // A name that is neither a bus service nor a proto service of one is not served by anybody.
        #expect(BrokerHarness.sends(h.request(from: client, id: "r3", service: "clinic.b.v1.B")).isEmpty)
        h.now += 6000
        let expired = BrokerHarness.clientReplies(h.machine.tick(now: h.now)).filter { $0.header.requestID == "r3" }
        #expect(expired.map(\.header.code) == [.unavailable])
    }

    @Test func aRequestNamingTheProtoServiceWaitsForThePackagesFirstWorker() {
        var h = BrokerHarness()
        // No worker yet (a broker just restarted): the request is queued where the package's worker will look.
        #expect(BrokerHarness.sends(h.request(from: client, id: "early", service: "clinic.a.v1.A")).isEmpty)
        let served = BrokerHarness.sends(h.ready(workerA))
        #expect(served.first?.to == workerA)
        let back = BrokerHarness.sends(h.reply(from: workerA, to: client, payload: [7]))
        #expect(back.first?.message == .clientReply(service: "clinic.a.v1.A", header: [0x0a, 0x01, 0x78], payload: [7]))
        // A lower-case last part is a bus service name of its own, never shortened.
        #expect(BrokerHarness.sends(h.request(from: client, id: "own", service: "clinic.a.v1.b")).isEmpty)
        #expect(h.machine.stats.queued == 1)
    }

    @Test func balancesAcrossIdleWorkersLeastRecentlyUsedFirst() {
        var h = BrokerHarness()
        _ = h.ready(workerA)
        _ = h.ready(workerB)
        #expect(BrokerHarness.sends(h.request(from: client, id: "1")).first?.to == workerA)
        #expect(BrokerHarness.sends(h.request(from: client, id: "2")).first?.to == workerB)
        _ = h.reply(from: workerA, to: client)
        _ = h.reply(from: workerB, to: client)
        #expect(BrokerHarness.sends(h.request(from: client, id: "3")).first?.to == workerA)
    }

    @Test func oneRequestAtATimePerWorkerThenQueued() {
        var h = BrokerHarness()
        _ = h.ready(workerA)
        _ = h.request(from: client, id: "1")
        #expect(BrokerHarness.sends(h.request(from: client, id: "2")).isEmpty)
        #expect(h.machine.stats.queued == 1)
        let afterReply = BrokerHarness.sends(h.reply(from: workerA, to: client))
        #expect(afterReply.count == 2)
        #expect(afterReply.last?.to == workerA)
        #expect(h.machine.stats.queued == 0)
    }

    @Test func silentWorkerExpiresAndInFlightRequestGetsUnavailable() {
        var h = BrokerHarness()
        _ = h.ready(workerA)
        _ = h.request(from: client, id: "r1")
        h.now += 299
        #expect(BrokerHarness.clientReplies(h.machine.tick(now: h.now)).isEmpty)
        h.now += 2
        let replies = BrokerHarness.clientReplies(h.machine.tick(now: h.now))
        #expect(replies.count == 1)
        #expect(replies.first?.header.code == .unavailable)
        #expect(replies.first?.header.requestID == "r1")
        #expect(h.machine.stats.workers == 0)
    }

    @Test func anyTrafficCountsAsHeartbeat() {
        var h = BrokerHarness()
        _ = h.ready(workerA)
        h.now += 250
        _ = h.machine.receive(from: workerA, frames: MDPCodec.encode(.heartbeat), now: h.now)
        h.now += 250
        _ = h.machine.tick(now: h.now)
        #expect(h.machine.stats.workers == 1)
    }

    @Test func queuedRequestWithoutWorkerIsUnavailableAtDeadline() {
        var h = BrokerHarness()
        _ = h.machine.tick(now: h.now)
        #expect(h.request(from: client, id: "q", deadline: h.now + 50).isEmpty)
        #expect(h.machine.msUntilNextTick(now: h.now) <= 5)
        h.now += 60
        #expect(h.machine.msUntilNextTick(now: h.now) == 0)
        let replies = BrokerHarness.clientReplies(h.machine.tick(now: h.now))
        #expect(replies.first?.header.code == .unavailable)
        #expect(replies.first?.header.message.contains("no worker for service clinic.a.v1") == true)
    }

    @Test func queuedRequestWithBusyWorkerIsDeadlineExceeded() {
        var h = BrokerHarness()
        _ = h.ready(workerA)
        _ = h.request(from: client, id: "busy", deadline: h.now + 1000)
        _ = h.request(from: client, id: "waits", deadline: h.now + 50)
        h.now += 60
        _ = h.machine.receive(from: workerA, frames: MDPCodec.encode(.heartbeat), now: h.now)
        let replies = BrokerHarness.clientReplies(h.machine.tick(now: h.now))
        #expect(replies.map(\.header.code) == [.deadlineExceeded])
        #expect(replies.first?.header.requestID == "waits")
    }

    @Test func queuedRequestServedWhenWorkerArrives() {
        var h = BrokerHarness()
        _ = h.request(from: client, id: "early")
        let sent = BrokerHarness.sends(h.ready(workerA))
        #expect(sent.count == 1)
        #expect(sent.first?.to == workerA)
    }

    @Test func queueBoundAnswersResourceExhausted() {
        var h = BrokerHarness()
        _ = h.request(from: client, id: "1")
        _ = h.request(from: client, id: "2")
        let replies = BrokerHarness.clientReplies(h.request(from: client, id: "3"))
        #expect(replies.first?.header.code == .resourceExhausted)
    }

    @Test func serviceDiscoveryReportsLiveWorkers() {
        var h = BrokerHarness()
        let missing = BrokerHarness.clientReplies(h.request(from: client, id: "m1", service: "mmi.service", payload: Array("clinic.a.v1".utf8)))
        #expect(missing.first?.header.code == .notFound)
        _ = h.ready(workerA)
        let present = BrokerHarness.clientReplies(h.request(from: client, id: "m2", service: "mmi.service", payload: Array("clinic.a.v1".utf8)))
        #expect(present.first?.header.code == .ok)
        #expect(present.first?.header.requestID == "m2")
    }

    @Test func workerProtocolViolationGetsDisconnect() {
        var h = BrokerHarness()
        _ = h.ready(workerA)
        let actions = h.machine.receive(from: workerA, frames: [Array("MDPW02".utf8), [0x03], [1], [], [], []], now: h.now)
        #expect(BrokerHarness.sends(actions).map(\.message) == [.disconnect])
        #expect(h.machine.stats.workers == 0)
        let unregistered = h.machine.receive(from: workerB, frames: MDPCodec.encode(.heartbeat), now: h.now)
        #expect(BrokerHarness.sends(unregistered).map(\.message) == [.disconnect])
    }

    @Test func malformedClientRequestWithRecoverableIdGetsErrorReply() {
        var h = BrokerHarness()
        let actions = h.machine.receive(from: client, frames: [Array("MDPC02".utf8), [0x01], Array("clinic.a.v1".utf8),
                                                              BrokerHarness.header(id: "bad")], now: h.now)
        let replies = BrokerHarness.clientReplies(actions)
        #expect(replies.first?.header.code == .invalidArgument)
        #expect(replies.first?.header.requestID == "bad")
        let garbage = h.machine.receive(from: client, frames: [[1, 2, 3]], now: h.now)
        #expect(BrokerHarness.sends(garbage).isEmpty)
        // An MDP request cut short still gets an answer, without a request id to echo.
        let short = BrokerHarness.clientReplies(h.machine.receive(from: client, frames: [MDP.client, [0x01], Array("clinic.a.v1".utf8)],
                                                                  now: h.now))
        #expect(short.first?.header.code == .invalidArgument)
        #expect(short.first?.header.requestID == "")
    }

    @Test func aRequestWhoseHeaderDoesNotDecodeIsAnsweredNotDropped() {
        var h = BrokerHarness()
        _ = h.ready(workerA)
        let actions = h.machine.receive(from: client, frames: MDPCodec.encode(.clientRequest(service: "clinic.a.v1",
                                                                                             header: [0xff, 0xff, 0xff, 0xff], payload: [1])),
                                        now: h.now)
        let replies = BrokerHarness.clientReplies(actions)
        #expect(replies.map(\.to) == [client])
        #expect(replies.first?.header.code == .invalidArgument)
        #expect(replies.first?.header.message.contains("clinic.bus.v1.RequestHeader") == true)
        // Nothing reached the worker.
        #expect(!BrokerHarness.sends(actions).contains { $0.to == workerA })
    }

    @Test func aLeavingWorkerFinishesWhatItHoldsAndGetsNothingNew() {
        var h = BrokerHarness()
        _ = h.ready(workerA)
        _ = h.ready(workerB)
        _ = h.request(from: client, id: "r1")  // goes to A
        // A says it is leaving while it holds r1: nobody is answered yet.
        let goodbye = h.machine.receive(from: workerA, frames: MDPCodec.encode(.disconnect), now: h.now)
        #expect(BrokerHarness.clientReplies(goodbye).isEmpty)
        // New work goes to B only.
        let next = BrokerHarness.sends(h.request(from: client, id: "r2"))
        #expect(next.map(\.to) == [workerB])
        // A's reply still reaches the client, and then A is gone.
        let answered = h.reply(from: workerA, to: client)
        #expect(BrokerHarness.sends(answered).contains { $0.to == client })
        #expect(h.machine.stats.workers == 1)
    }

    @Test func aLeavingWorkerThatDoesNotAnswerInTimeHasItsRequestsAnsweredUnavailable() {
        var h = BrokerHarness()
        _ = h.ready(workerA)
        _ = h.request(from: client, id: "r")
        _ = h.machine.receive(from: workerA, frames: MDPCodec.encode(.disconnect), now: h.now)
        // Heartbeats keep it alive, but not past its leaving period (liveness × heartbeat).
        h.now += 250
        _ = h.machine.receive(from: workerA, frames: MDPCodec.encode(.heartbeat), now: h.now)
        #expect(BrokerHarness.clientReplies(h.machine.tick(now: h.now)).isEmpty)
        h.now += 100
        let replies = BrokerHarness.clientReplies(h.machine.tick(now: h.now))
        #expect(replies.first?.header.code == .unavailable)
        #expect(h.machine.stats.workers == 0)
    }

    @Test func aWorkerThatHoldsNothingLeavesAtOnce() {
        var h = BrokerHarness()
        _ = h.ready(workerA)
        _ = h.machine.receive(from: workerA, frames: MDPCodec.encode(.disconnect), now: h.now)
        #expect(h.machine.stats.workers == 0)
    }
}

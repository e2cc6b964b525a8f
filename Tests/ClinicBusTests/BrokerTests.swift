@testable import ClinicBus
import ClinicProto
import Foundation
import ClinicTestSupport
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1))) struct BrokerTests {
    @Test func routesEachRequestToItsService() async throws {
        let bus = try TestBus()
        defer { bus.stop() }
        let poolA = try bus.echoPool(TestBus.echoA, tag: "A")
        defer { poolA.stop() }
        let poolB = try bus.echoPool(TestBus.echoB, tag: "B")
        defer { poolB.stop() }
        let client = try bus.client()
        defer { client.close() }
        let a = try await TestBus.call(client, TestBus.echoA, payload: "to A")
        let b = try await TestBus.call(client, TestBus.echoB, payload: "to B")
        #expect(a.header.publisher == "A-0")
        #expect(String(decoding: a.payload, as: UTF8.self) == "to A")
        #expect(b.header.publisher == "B-0")
        #expect(await client.serviceAvailable(TestBus.echoA.busService, timeout: .seconds(1)))
        #expect(await client.serviceAvailable("clinic.nobody.v1", timeout: .seconds(1)) == false)
    }

    @Test func twoWorkersShareTheLoad() async throws {
        let bus = try TestBus()
        defer { bus.stop() }
        let pool = try bus.echoPool(TestBus.echoA, tag: "A", threads: 2, delay: 0.02)
        defer { pool.stop() }
        let client = try bus.client()
        defer { client.close() }
        _ = try await TestBus.call(client, TestBus.echoA)
        let servedBy = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await TestBus.call(client, TestBus.echoA).header.publisher } }
            var all: [String] = []
            for try await name in group { all.append(name) }
            return all
        }
        #expect(servedBy.count == 20)
        #expect(Set(servedBy) == ["A-0", "A-1"])
    }

    @Test func workerKilledMidRequestGivesUnavailable() async throws {
        let bus = try TestBus()
        defer { bus.stop() }
        let endpoint = bus.endpoints.requests
        let client = try bus.client()
        defer { client.close() }
        let started = ContinuousClock.now
        // A fake worker that takes the request and dies without a word. Its blocking socket calls run on a
        // thread of their own, never on the cooperative pool the call itself needs.
        async let gotRequest = onThread { () throws -> Bool in
            let worker = try Socket(.dealer)
            defer { worker.close() }
            try worker.connect(endpoint)
            try worker.send(MDPCodec.encode(.ready(service: TestBus.echoA.busService)))
            for _ in 0..<50 {
                if try Socket.poll([worker], timeoutMS: 100)[0], let frames = try worker.receive(dontWait: true),
                   case .success(.workerRequest) = MDPCodec.decode(frames) {
                    return true
                }
            }
            return false
        }
        async let reply = TestBus.call(client, TestBus.echoA, timeout: .seconds(5))
        #expect(try await gotRequest)
        do {
            _ = try await reply
            Issue.record("the call to a dead worker succeeded")
        } catch let error as RPCError {
            #expect(error.code == .unavailable)
        }
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test func aWorkerBusyLongerThanItsLivenessWindowStaysRegisteredAndAnswers() async throws {
        let bus = try TestBus()
        defer { bus.stop() }
        // The handler runs for 8 heartbeats, well past the broker's 3-heartbeat window for a silent worker.
        let pool = try bus.echoPool(TestBus.echoA, tag: "slow", delay: 0.8)
        defer { pool.stop() }
        let client = try bus.client()
        defer { client.close() }
        let reply = try await TestBus.call(client, TestBus.echoA, timeout: .seconds(5))
        #expect(reply.header.publisher == "slow-0")
        // And it goes on serving.
        let again = try await TestBus.call(client, TestBus.echoA, timeout: .seconds(5))
        #expect(again.header.publisher == "slow-0")
    }

    @Test func requestQueuedWhileNoWorkerIsServedWhenOneStarts() async throws {
        let bus = try TestBus()
        defer { bus.stop() }
        let client = try bus.client()
        defer { client.close() }
        let first = try bus.echoPool(TestBus.echoA, tag: "first")
        _ = try await TestBus.call(client, TestBus.echoA)
        first.stop()
        async let reply = TestBus.call(client, TestBus.echoA, timeout: .seconds(3))
        try await Task.sleep(for: .milliseconds(300))
        let second = try bus.echoPool(TestBus.echoA, tag: "second")
        defer { second.stop() }
        #expect(try await reply.header.publisher == "second-0")
    }

    @Test func clientsAndWorkersCarryOnWhenTheBrokerRestartsOnItsEndpoint() async throws {
        let bus = try TestBus()
        let pool = try bus.echoPool(TestBus.echoA, tag: "kept")
        defer { pool.stop() }
        let client = try bus.client()
        defer { client.close() }
        #expect(try await TestBus.call(client, TestBus.echoA).header.publisher == "kept-0")

        bus.stop()
        let down = await #expect(throws: RPCError.self) {
            try await TestBus.call(client, TestBus.echoA, timeout: .milliseconds(300))
        }
        #expect(down?.code == .deadlineExceeded)

        // The same endpoint again: the worker notices the silence, reconnects and registers anew; the client's
        // socket reconnects on its own.
        let restarted = Broker(configuration: BrokerConfiguration(endpoint: bus.endpoints.requests, eventsIn: "tcp://127.0.0.1:*",
                                                                  eventsOut: "tcp://127.0.0.1:*",
                                                                  heartbeatInterval: TestBus.heartbeat),
                               logger: bus.logger)
        try restarted.start()
        defer { restarted.stop() }
        let reply = try await TestBus.call(client, TestBus.echoA, timeout: .seconds(5))
        #expect(reply.header.publisher == "kept-0")
        #expect(reply.payload == Data("hello".utf8))
    }

    @Test func aWorkerWhoseRoutesFailToBuildRetriesAndThenServes() async throws {
        let bus = try TestBus()
        defer { bus.stop() }
        let attempts = Mutex(0)
        let pool = WorkerPool(configuration: WorkerConfiguration(brokerEndpoint: bus.endpoints.requests,
                                                                 service: TestBus.echoA.busService, threads: 1,
                                                                 heartbeatInterval: TestBus.heartbeat),
                              logger: bus.logger) { _ in
            // The first attempt fails as a database that is not up yet would.
            if attempts.withLock({ count in count += 1; return count }) == 1 {
                throw BusError(operation: "set up routes", reason: "database not reachable yet")
            }
            let routes = WorkerRoutes()
            routes.register(TestBus.echoA) { _, request in request }
            return routes
        }
        try pool.start()
        defer { pool.stop() }
        let client = try bus.client()
        defer { client.close() }
        let reply = try await TestBus.call(client, TestBus.echoA, timeout: .seconds(5), payload: "after a retry")
        #expect(reply.payload == Data("after a retry".utf8))
        #expect(attempts.withLock { $0 } == 2)
    }

    @Test func deadlineExceededWhenNoWorkerComes() async throws {
        let bus = try TestBus()
        defer { bus.stop() }
        let client = try bus.client()
        defer { client.close() }
        do {
            _ = try await TestBus.call(client, TestBus.echoA, timeout: .milliseconds(200))
            Issue.record("a call without workers succeeded")
        } catch let error as RPCError {
            #expect([.unavailable, .deadlineExceeded].contains(error.code))
        }
        let slow = try bus.echoPool(TestBus.echoB, tag: "slow", delay: 0.5)
        defer { slow.stop() }
        do {
            _ = try await TestBus.call(client, TestBus.echoB, timeout: .milliseconds(150))
            Issue.record("a call past its deadline succeeded")
        } catch let error as RPCError {
            #expect(error.code == .deadlineExceeded)
        }
    }

    @Test func unknownMethodIsUnimplemented() async throws {
        let bus = try TestBus()
        defer { bus.stop() }
        let pool = try bus.echoPool(TestBus.echoA, tag: "A")
        defer { pool.stop() }
        let client = try bus.client()
        defer { client.close() }
        let other = Method<Clinic_Bus_V1_Event, Clinic_Bus_V1_Event>("clinic.testa.v1.Echo/Missing", access: .open)
        await #expect(throws: RPCError(.unimplemented, "method clinic.testa.v1.Echo/Missing is not implemented here")) {
            _ = try await TestBus.call(client, other)
        }
    }

    @Test func garbageFromARawDealerDoesNotHurtTheBroker() async throws {
        let bus = try TestBus()
        defer { bus.stop() }
        let pool = try bus.echoPool(TestBus.echoA, tag: "A")
        defer { pool.stop() }
        let raw = try Socket(.dealer)
        defer { raw.close() }
        try raw.connect(bus.endpoints.requests)
        let service = Array(TestBus.echoA.busService.utf8)
        try raw.send([Array("HTTP/1.1".utf8), [0x01], service, [], []])
        try raw.send([Array("MDPC02".utf8)])
        try raw.send([Array("MDPC02".utf8), [0x01], service])
        try raw.send([Array("MDPC02".utf8), [0x01], service, [0xff, 0xff, 0xff, 0xff], [1]])
        try raw.send([Array("MDPW02".utf8), [0x04], [1], [], [], []])
        try raw.send([Array("MDPC02".utf8), [0x01], service, [], [UInt8](repeating: 7, count: 100_000)])
        let client = try bus.client()
        defer { client.close() }
        let reply = try await TestBus.call(client, TestBus.echoA)
        #expect(reply.header.publisher == "A-0")
    }

    @Test func aHeaderThatDoesNotDecodeIsAnsweredByTheBrokerOrTheWorker() async throws {
        let bus = try TestBus()
        defer { bus.stop() }
        let pool = try bus.echoPool(TestBus.echoA, tag: "A")
        defer { pool.stop() }
        let endpoint = bus.endpoints.requests
        let service = Array(TestBus.echoA.busService.utf8)
        // Not protobuf at all: the broker answers. A method that is not UTF-8 passes the broker's look at the
        // request id but not the worker's full decode: the worker answers, echoing the id.
        let named: [UInt8] = [0x0a, 0x02, 0xc3, 0x28, 0x12, 0x03] + Array("r-9".utf8)
        let replies = try await onThread { () throws -> [[[UInt8]]] in
            let raw = try Socket(.dealer)
            defer { raw.close() }
            try raw.connect(endpoint)
            var received: [[[UInt8]]] = []
            for header in [[0xff, 0xff, 0xff, 0xff], named] {
                try raw.send([MDP.client, [MDP.ClientCommand.request.rawValue], service, header, []])
                guard try Socket.poll([raw], timeoutMS: 3000)[0] else { break }
                if let frames = try raw.receive(dontWait: true) { received.append(frames) }
            }
            return received
        }
        #expect(replies.count == 2)
        let headers = try replies.map { try Clinic_Bus_V1_ReplyHeader(serializedBytes: $0[3]) }
        #expect(headers.map(\.code) == [.invalidArgument, .invalidArgument])
        #expect(headers.map(\.requestID) == ["", "r-9"])
        #expect(headers.allSatisfy { $0.message.contains("header") })
    }

    @Test func aREQClientWithItsEmptyDelimiterIsServedAndAnswered() async throws {
        let bus = try TestBus()
        defer { bus.stop() }
        let pool = try bus.echoPool(TestBus.echoA, tag: "A")
        defer { pool.stop() }
        let endpoint = bus.endpoints.requests
        // A REQ socket puts an empty frame before MDPC02 and accepts only replies that carry one back.
        let frames = try await onThread { () throws -> [[UInt8]]? in
            let req = try Socket(.req)
            defer { req.close() }
            try req.connect(endpoint)
            var request = Clinic_Bus_V1_Event()
            request.payload = Data("from a REQ socket".utf8)
            let header = CallOptions(timeout: .seconds(3)).requestHeader(method: TestBus.echoA.fullName)
            try req.send([MDP.client, [MDP.ClientCommand.request.rawValue], Array(TestBus.echoA.busService.utf8),
                          try header.serializedBytes(), try request.serializedBytes()])
            guard try Socket.poll([req], timeoutMS: 3000)[0] else { return nil }
            return try req.receive(dontWait: true)
        }
        let reply = try #require(frames)
        #expect(reply.count == 5)
        #expect(reply.first == MDP.client)
        #expect(reply.dropFirst().first == [MDP.ClientCommand.final.rawValue])
        let header = try Clinic_Bus_V1_ReplyHeader(serializedBytes: reply[3])
        #expect(header.code == .ok)
        let echoed = try Clinic_Bus_V1_Event(serializedBytes: reply[4])
        #expect(String(decoding: echoed.payload, as: UTF8.self) == "from a REQ socket")
        #expect(echoed.header.publisher == "A-0")
    }

    @Test func sendBlockingWorksFromAPlainThread() async throws {
        let bus = try TestBus()
        defer { bus.stop() }
        let pool = try bus.echoPool(TestBus.echoA, tag: "A")
        defer { pool.stop() }
        let client = try bus.client()
        defer { client.close() }
        let header = CallOptions(timeout: .seconds(3)).requestHeader(method: TestBus.echoA.fullName)
        let reply = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<RPCReply, any Error>) in
            Thread {
                continuation.resume(with: Result {
                    try client.sendBlocking(service: TestBus.echoA.busService, header: header, payload: [])
                })
            }.start()
        }
        #expect(reply.header.code == .ok)
        #expect(reply.header.requestID == header.requestID)
    }
}

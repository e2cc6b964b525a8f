@testable import ClinicBus
import ClinicProto
import ClinicTestSupport
import Foundation
import Testing

/// CURVE on real sockets: who gets through the broker, what the worker learns of the sender, reloads, events.
@Suite(.timeLimit(.minutes(1))) struct CurveTests {
    /// The call fails as a call to a broker that never answers does (the handshake never completes).
    static func expectNoReply(_ client: BusClient, _ method: Method<Clinic_Bus_V1_Event, Clinic_Bus_V1_Event>,
                              sourceLocation: SourceLocation = #_sourceLocation) async {
        let result = await rpcResult { try await TestBus.call(client, method, timeout: .milliseconds(400)) }
        #expect([.deadlineExceeded, .unavailable].contains(result.code), "got \(result)", sourceLocation: sourceLocation)
    }

    @Test func aListedClientGetsThroughAndTheWorkerSeesItsNameAsPeer() async throws {
        let bus = try CurveTestBus(listed: ["testa": [], "desk": []])
        defer { bus.stop() }
        let pool = try bus.echoPool(TestBus.echoA, as: bus.security("testa"))
        defer { pool.stop() }
        let client = try bus.client(bus.security("desk"))
        defer { client.close() }
        #expect(try await CurveTestBus.peerSeen(by: client, TestBus.echoA) == "desk")
        #expect(await client.serviceAvailable(TestBus.echoA.busService, timeout: .seconds(1)))
    }

    @Test func aClientWithoutAKeyGetsNoReply() async throws {
        let bus = try CurveTestBus(listed: ["testa": []])
        defer { bus.stop() }
        let pool = try bus.echoPool(TestBus.echoA, as: bus.security("testa"))
        defer { pool.stop() }
        let plain = try bus.client(.plain)
        defer { plain.close() }
        await Self.expectNoReply(plain, TestBus.echoA)
    }

    @Test func aClientWithAnUnlistedKeyOrTheWrongServerKeyIsRefused() async throws {
        let bus = try CurveTestBus(listed: ["testa": [], "desk": []], unlisted: ["stranger"])
        defer { bus.stop() }
        let served = Counter()
        let pool = try bus.echoPool(TestBus.echoA, as: bus.security("testa"), served: served)
        defer { pool.stop() }
        let stranger = try bus.client(bus.security("stranger"))
        defer { stranger.close() }
        await Self.expectNoReply(stranger, TestBus.echoA)
        // A listed key that trusts another server key does not get through either.
        let misled = try bus.client(.curve(bus.keys["desk"]!, serverKey: try CurveKeyPair.generate().publicKey))
        defer { misled.close() }
        await Self.expectNoReply(misled, TestBus.echoA)
        #expect(served.count == 0)
    }

    @Test func aPeerWrittenByTheClientIsOverwrittenByTheBroker() async throws {
        let bus = try CurveTestBus(listed: ["testa": [], "desk": []])
        defer { bus.stop() }
        let pool = try bus.echoPool(TestBus.echoA, as: bus.security("testa"))
        defer { pool.stop() }
        let client = try bus.client(bus.security("desk"))
        defer { client.close() }
        #expect(try await CurveTestBus.peerSeen(by: client, TestBus.echoA, forgedPeer: "staff") == "desk")
    }

    @Test func onAPlainBusAForgedPeerArrivesEmpty() async throws {
        let bus = try TestBus()
        defer { bus.stop() }
        let pool = try CurveTestBus.peerEchoPool(endpoint: bus.endpoints.requests, TestBus.echoA, as: .plain, logger: bus.logger)
        defer { pool.stop() }
        let client = try bus.client()
        defer { client.close() }
        #expect(try await CurveTestBus.peerSeen(by: client, TestBus.echoA, forgedPeer: "staff") == "")
    }

    @Test func aReloadAdmitsANewKeyAndDropsARemovedOne() async throws {
        let bus = try CurveTestBus(listed: ["testa": [], "desk": []], unlisted: ["imaging"])
        defer { bus.stop() }
        let pool = try bus.echoPool(TestBus.echoA, as: bus.security("testa"))
        defer { pool.stop() }
        let desk = try bus.client(bus.security("desk"))
        defer { desk.close() }
        #expect(try await CurveTestBus.peerSeen(by: desk, TestBus.echoA) == "desk")
        let early = try bus.client(bus.security("imaging"))
        defer { early.close() }
        await Self.expectNoReply(early, TestBus.echoA)

        // imaging in, desk out.
        try CurveTestBus.writeAuthorizedKeys([.init(name: "testa", publicKey: bus.keys["testa"]!.publicKey),
                                              .init(name: "imaging", publicKey: bus.keys["imaging"]!.publicKey)],
                                             to: bus.authorizedKeysFile)
        #expect(try bus.broker.reloadAuthorizedKeys() == 2)
        let imaging = try bus.client(bus.security("imaging"))
        defer { imaging.close() }
        #expect(try await CurveTestBus.peerSeen(by: imaging, TestBus.echoA) == "imaging")
        // desk's connection is still open, but its requests are refused now; a new connection never completes.
        let refused = await rpcResult { try await TestBus.call(desk, TestBus.echoA, timeout: .seconds(2)) }
        #expect(refused.code == .unauthenticated, "got \(refused)")
        let deskAgain = try bus.client(bus.security("desk"))
        defer { deskAgain.close() }
        await Self.expectNoReply(deskAgain, TestBus.echoA)

        // A file that does not parse keeps the list in place, and says where it is wrong.
        try "testa \(bus.keys["testa"]!.publicKey)\nimaging not-a-key\n".write(toFile: bus.authorizedKeysFile, atomically: true,
                                                                              encoding: .utf8)
        let error = #expect(throws: CurveKeyError.self) { try bus.broker.reloadAuthorizedKeys() }
        #expect(error?.line == 2)
        #expect(error?.file == bus.authorizedKeysFile)
        #expect(try await CurveTestBus.peerSeen(by: imaging, TestBus.echoA) == "imaging")
    }

    @Test func aWorkerWhoseIdentityMayNotServeTheServiceGetsNoRequests() async throws {
        let bus = try CurveTestBus(listed: ["desk": [], "imaging": ["clinic.testb.v1"], "testa": []])
        defer { bus.stop() }
        let impostor = Counter()
        let wrong = try bus.echoPool(TestBus.echoA, as: bus.security("desk"), served: impostor)
        defer { wrong.stop() }
        let client = try bus.client(bus.security("desk"))
        defer { client.close() }
        try await Task.sleep(for: .milliseconds(300))
        #expect(await client.serviceAvailable(TestBus.echoA.busService, timeout: .seconds(1)) == false)
        await Self.expectNoReply(client, TestBus.echoA)
        #expect(impostor.count == 0)

        // The service listed after a key may be served by it; the owner by name serves its own.
        let listed = try bus.echoPool(TestBus.echoB, as: bus.security("imaging"))
        defer { listed.stop() }
        #expect(try await CurveTestBus.peerSeen(by: client, TestBus.echoB) == "desk")
        let owner = try bus.echoPool(TestBus.echoA, as: bus.security("testa"))
        defer { owner.stop() }
        #expect(try await CurveTestBus.peerSeen(by: client, TestBus.echoA) == "desk")
        #expect(impostor.count == 0)
    }

    @Test func eventsReachOnlySubscribersWithAKeyAndOnlyFromTheirOwnPublisher() async throws {
        let bus = try CurveTestBus(listed: ["reception": [], "scheduling": []], unlisted: ["stranger"])
        defer { bus.stop() }
        let endpoints = bus.endpoints
        let keyed = bus.security("scheduling")
        let stranger = bus.security("stranger")
        let publisherKey = bus.security("reception")
        let logger = bus.logger
        let (listed, plain, unlisted) = try await onThread { () throws -> ([ReceivedEvent], [ReceivedEvent], [ReceivedEvent]) in
            let subscriptions = try [keyed, .plain, stranger].map {
                try EventSubscription(endpoint: endpoints.eventsOut, topicPrefixes: ["clinic."], security: $0, logger: logger)
            }
            defer { subscriptions.forEach { $0.close() } }
            let publisher = try EventPublisher(endpoint: endpoints.eventsIn, security: publisherKey)
            defer { publisher.close() }
            let forger = try EventPublisher(endpoint: endpoints.eventsIn, security: .plain)
            defer { forger.close() }
            var header = Clinic_Bus_V1_EventHeader()
            header.publisher = "reception"
            var received: [[ReceivedEvent]] = [[], [], []]
            // PUB/SUB joins late: publish until the keyed subscription is live, then a little longer.
            var extra = 20
            for seq in 1...300 where extra > 0 {
                header.seq = UInt64(seq)
                try publisher.publish(topic: "clinic.reception.PatientRegistered", header: header, payload: [1])
                try publisher.publish(topic: "clinic.billing.BillIssued", header: header, payload: [2])
                try forger.publish(topic: "clinic.reception.PatientRegistered", header: header, payload: [3])
                for (index, subscription) in subscriptions.enumerated() {
                    while let event = try subscription.receive(timeout: .milliseconds(index == 0 ? 20 : 1)) {
                        received[index].append(event)
                    }
                }
                if received[0].count >= 3 { extra -= 1 }
            }
            return (received[0], received[1], received[2])
        }
        #expect(listed.count >= 3)
        // Only reception's own topic, and only from reception's key: not billing's topic, not the keyless forger's.
        #expect(listed.allSatisfy { $0.topic == "clinic.reception.PatientRegistered" && $0.payload == [1] })
        #expect(plain.isEmpty)
        #expect(unlisted.isEmpty)
    }

    @Test func plainModeRefusesAnEndpointOffLoopback() throws {
        var logger = Logger(label: "curve-test")
        logger.logLevel = .critical
        for exposed in ["tcp://0.0.0.0:*", "tcp://*:*"] {
            let broker = Broker(configuration: BrokerConfiguration(endpoint: "tcp://127.0.0.1:*", eventsIn: "tcp://127.0.0.1:*",
                                                                   eventsOut: exposed), logger: logger)
            let error = #expect(throws: BusError.self) { try broker.start() }
            #expect(error?.reason.contains("loopback") == true)
            #expect(error?.reason.contains(exposed) == true)
            #expect(broker.endpoints == nil)
        }
    }
}

import Logging

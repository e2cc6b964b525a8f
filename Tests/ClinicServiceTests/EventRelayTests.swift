import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import Logging
import Testing

/// The outbox relay against a real PostgreSQL and a real broker.
@Suite("Event relay")
struct EventRelayTests {
    static let logger: Logger = {
        var logger = Logger(label: "test.relay")
        logger.logLevel = .critical
        return logger
    }()

    @Test func stoppingPublishesWhatIsCommittedFirst() async throws {
        let (broker, endpoints) = try TestBroker.start(logger: Self.logger)
        defer { broker.stop() }
        let service = try TestDatabase.shared().makeService(prefix: "relay")
        try await onThread {
            let db = try Connection(url: service.url, logger: Self.logger)
            defer { db.close() }
            try CoreMigrations.apply(schema: service.role, on: db, logger: Self.logger)
            let outbox = EventOutbox(publisher: "relaytest")
            try outbox.append(Clinic_Bus_V1_Event(), on: db)
            let relay = EventRelay(configuration: .init(publisher: "relaytest", databaseURL: service.url,
                                                        eventsEndpoint: endpoints.eventsIn), logger: Self.logger)
            relay.start()
            // Once the first event is out, the relay holds the publishing lock.
            let started = Date()
            while try Outbox.latestSeq(on: db) < 1, Date().timeIntervalSince(started) < 10 { Thread.sleep(forTimeInterval: 0.01) }
            #expect(try Outbox.latestSeq(on: db) == 1)
            // A burst committed just before the stop still goes out before the relay lets go.
            try db.transaction { db in for _ in 0..<3_000 { try outbox.append(Clinic_Bus_V1_Event(), on: db) } }
            relay.stop()
            let unpublished = try db.query("SELECT count(*) AS n FROM outbox WHERE published_seq IS NULL")[0].decode("n", as: Int.self)
            #expect(unpublished == 0)
            #expect(try Outbox.latestSeq(on: db) == 3_001)
        }
    }
}

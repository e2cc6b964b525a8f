import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import Testing
@testable import Reception

/// A consumer in another schema follows reception's events: nothing lost while it was down, nothing applied twice.
@Suite("Event catch-up")
struct EventCatchUpTests {
    @Test func aConsumerThatWasDownCatchesUpExactlyOnce() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        // seq is the primary key: applying an event twice would fail the consumer's transaction loudly.
        let follower = try Follower(harness, prefix: "consumer", table: "CREATE TABLE seen (seq bigint PRIMARY KEY, patient_id text NOT NULL)")
        let setup = follower.db
        defer { setup.close() }
        func makeConsumer() -> EventConsumer {
            follower.consumer { handlers in
                handlers.on(Clinic_Reception_V1_PatientRegistered.self) { db, header, event in
                    try db.execute("INSERT INTO seen (seq, patient_id) VALUES (\(Int64(header.seq)), \(event.patientID))")
                }
            }
        }
        func seen() throws -> [Int64] {
            try setup.query("SELECT seq FROM seen ORDER BY seq").map { try $0.decode("seq", as: Int64.self) }
        }

        func register(_ index: Int) async throws -> String {
            try await harness.call(Clinic_Reception_V1_Reception.registerPatient, newPatient(name: "事件\(index)")).id
        }

        // Written while no consumer runs.
        var ids: [String] = []
        for index in 0..<3 { ids.append(try await register(index)) }

        let consumer = makeConsumer()
        consumer.start()
        #expect(try await eventually { try seen() == [1, 2, 3] })
        // Live events while it runs.
        for index in 3..<5 { ids.append(try await register(index)) }
        #expect(try await eventually { try seen() == [1, 2, 3, 4, 5] })
        // A burst: many events arrive together and share transactions, each still applied once, in order.
        let burst = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 5..<65 {
                group.addTask {
                    try await harness.call(Clinic_Reception_V1_Reception.registerPatient, newPatient(name: "事件\(index)")).id
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(try await eventually { try seen() == Array(1...65) })
        consumer.stop()

        // Down again while more are written; a new consumer resumes from its checkpoint.
        var later: [String] = []
        for index in 65..<69 { later.append(try await register(index)) }
        let restarted = makeConsumer()
        restarted.start()
        defer { restarted.stop() }
        #expect(try await eventually { try seen() == Array(1...69) })
        let applied = try setup.query("SELECT patient_id FROM seen ORDER BY seq").map { try $0.decode("patient_id", as: String.self) }
        #expect(Array(applied.prefix(5)) == ids && Array(applied.suffix(4)) == later)
        #expect(Set(applied[5..<65]) == Set(burst) && burst.count == 60)
        #expect(try EventCheckpoint.lastApplied(publisher: "reception", on: setup) == 69)
    }

    /// What billing and follow-up will build on: a subscriber down when the treatment was recorded gets
    /// TreatmentCompleted when it comes back, once, and again after a restart nothing twice.
    @Test func treatmentCompletedReachesASubscriberThatWasDownOnce() async throws {
        let harness = try ReceptionHarness(scheduling: true)
        defer { harness.stop() }
        // The visit id is unique: a second delivery would fail the consumer's transaction loudly.
        let follower = try Follower(harness, prefix: "follower", table: "CREATE TABLE treated (visit_id text PRIMARY KEY, fee_codes text NOT NULL)")
        let setup = follower.db
        defer { setup.close() }
        func makeConsumer() -> EventConsumer {
            follower.consumer { handlers in
                handlers.on(Clinic_Reception_V1_TreatmentCompleted.self) { db, _, event in
                    let codes = event.treatments.flatMap(\.feeCodes).joined(separator: ",")
                    try db.execute("INSERT INTO treated (visit_id, fee_codes) VALUES (\(event.visitID), \(codes))")
                }
            }
        }
        func treated() throws -> [String] {
            try setup.query("SELECT visit_id FROM treated ORDER BY visit_id").map { try $0.decode("visit_id", as: String.self) }
        }

        let doctor = try await harness.makeDoctor()
        let visit = try await harness.checkIn(try await harness.register().id) { $0.doctorID = doctor.id }
        _ = try await harness.start(visit.id)
        _ = try await harness.complete(visit.id, [filling(36), filling(46, code: "FILL-02")])

        let consumer = makeConsumer()
        consumer.start()
        #expect(try await eventually { try treated() == [visit.id] })
        #expect(try setup.query("SELECT fee_codes FROM treated").first?.decode("fee_codes", as: String.self) == "FILL-01,FILL-02")
        consumer.stop()
        let restarted = makeConsumer()
        restarted.start()
        defer { restarted.stop() }
        let receptionDB = try harness.database()
        defer { receptionDB.close() }
        let published = try receptionDB.query("SELECT max(published_seq) AS n FROM outbox").first?.decode("n", as: Int64.self) ?? 0
        #expect(try await eventually { try EventCheckpoint.lastApplied(publisher: "reception", on: setup) == UInt64(published) })
        #expect(try treated() == [visit.id])
    }
}

/// A consumer of reception's events in a schema of its own (core tables migrated, plus `table`), for the catch-up
/// tests: its connection, and consumers made fresh with the handlers `handle` registers.
struct Follower {
    let url: String
    let db: Connection
    let harness: ReceptionHarness

    init(_ harness: ReceptionHarness, prefix: String, table: String) throws {
        self.harness = harness
        url = try TestDatabase.shared().makeService(prefix: prefix).url
        db = try Connection(url: url, logger: ReceptionHarness.logger)
        let schema = try #require(try db.query("SELECT current_schema() AS s").first?.decode("s", as: String.self))
        try Migrator.apply(CoreMigrations.all, component: "core", schema: schema, on: db, logger: ReceptionHarness.logger)
        try db.execute(script: table)
    }

    /// A consumer (not started) following reception with the handlers `handle` registers.
    func consumer(_ handle: @escaping @Sendable (EventHandlers) -> Void) -> EventConsumer {
        var configuration = EventConsumer.Configuration(
            name: "test", databaseURL: url, busEndpoint: harness.endpoints.requests, eventsEndpoint: harness.endpoints.eventsOut,
            sources: [EventSource(publisher: "reception", topicPrefix: "clinic.reception.", replay: Clinic_Reception_V1_Events.replay)])
        configuration.idleReplay = .milliseconds(300)
        return EventConsumer(configuration: configuration, logger: ReceptionHarness.logger) {
            let handlers = EventHandlers()
            handle(handlers)
            return handlers
        }
    }
}

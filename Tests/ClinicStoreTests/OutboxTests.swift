import ClinicStore
import ClinicTestSupport
import Foundation
import Testing

/// A test-only one-shot signal between threads.
private final class Signal: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    func fire() { semaphore.signal() }
    func wait() -> Bool { semaphore.wait(timeout: .now() + 20) == .success }
}

@Suite("Outbox, relay, checkpoints and idempotency keys")
struct OutboxTests {
    static func migratedService(_ prefix: String) throws -> ServiceDatabase {
        let db = try ServiceDatabase.make(prefix)
        let connection = try db.connect()
        try CoreMigrations.apply(schema: db.role, on: connection, logger: TestDatabase.logger)
        connection.close()
        return db
    }

    @Test("the relay stamps in commit order, never skipping a row whose transaction committed late")
    func stampsInCommitOrder() async throws {
        let db = try await onThread { try Self.migratedService("outbox_order") }
        let inserted = Signal(), mayCommit = Signal()
        // Transaction A inserts first (lower id) but commits after B.
        async let slowWriter: Void = onThread {
            let connection = try db.connect()
            try connection.transaction { connection in
                try Outbox.append(topic: "clinic.test.A", type: "A", payload: [1], on: connection)
                inserted.fire()
                guard mayCommit.wait() else { throw StoreError(kind: .query, message: "never released") }
            }
        }
        let firstBatch = try await onThread {
            guard inserted.wait() else { throw StoreError(kind: .query, message: "writer A never inserted") }
            let writerB = try db.connect()
            try writerB.transaction { connection in
                try Outbox.append(topic: "clinic.test.B", type: "B", payload: [2, 2], on: connection)
            }
            let relay = try db.connect()
            let firstBatch = try OutboxRelay.stampNextBatch(limit: 100, on: relay)
            mayCommit.fire()
            return firstBatch
        }
        try await slowWriter
        let (second, all, afterOne, latestSeq) = try await onThread {
            let relay = try db.connect()
            let second = try OutboxRelay.stampNextBatch(limit: 100, on: relay)
            let empty = try OutboxRelay.stampNextBatch(limit: 100, on: relay)
            #expect(empty.isEmpty)
            return (second, try Outbox.replay(afterSeq: 0, limit: 10, on: relay),
                    try Outbox.replay(afterSeq: 1, limit: 10, on: relay), try Outbox.latestSeq(on: relay))
        }
        #expect(firstBatch.map(\.seq) == [1])
        #expect(firstBatch.map(\.type) == ["B"])
        #expect(firstBatch.first?.payload == [2, 2])
        #expect(second.map(\.seq) == [2])
        #expect(second.map(\.type) == ["A"])
        #expect(all.map(\.seq) == [1, 2])
        #expect(all.map(\.topic) == ["clinic.test.B", "clinic.test.A"])
        #expect(afterOne.map(\.type) == ["A"])
        #expect(latestSeq == 2)
    }

    @Test("batches are consecutive and limited; replay pages by sequence")
    func batchesAndReplay() async throws {
        try await onThread {
            let db = try Self.migratedService("outbox_batches")
            let connection = try db.connect()
            #expect(try Outbox.latestSeq(on: connection) == 0)
            for index in 0..<5 {
                try Outbox.append(topic: "clinic.test.E", type: "E", payload: [UInt8(index)], on: connection)
            }
            let first = try OutboxRelay.stampNextBatch(limit: 3, on: connection)
            let second = try OutboxRelay.stampNextBatch(limit: 3, on: connection)
            #expect(first.map(\.seq) == [1, 2, 3])
            #expect(second.map(\.seq) == [4, 5])
            #expect(first.map(\.payload) == [[0], [1], [2]])
            #expect(Set((first + second).map(\.eventID)).count == 5)
            #expect(try Outbox.replay(afterSeq: 2, limit: 2, on: connection).map(\.seq) == [3, 4])
            #expect(try Outbox.replay(afterSeq: 5, limit: 2, on: connection).isEmpty)
        }
    }

    @Test("only one relay per schema holds the relay lock")
    func relayLock() async throws {
        try await onThread {
            let db = try Self.migratedService("outbox_lock")
            let first = try db.connect(), second = try db.connect()
            #expect(try OutboxRelay.tryAcquireRelayLock(schema: db.role, on: first))
            #expect(try !OutboxRelay.tryAcquireRelayLock(schema: db.role, on: second))
            first.close()
            // The server releases a session lock when the session ends; allow it a moment.
            var acquired = false
            for _ in 0..<50 where !acquired {
                acquired = try OutboxRelay.tryAcquireRelayLock(schema: db.role, on: second)
                if !acquired { Thread.sleep(forTimeInterval: 0.02) }
            }
            #expect(acquired)
        }
    }

    @Test("checkpoints only move forwards")
    func checkpoints() async throws {
        try await onThread {
            let db = try Self.migratedService("checkpoints")
            let connection = try db.connect()
            #expect(try EventCheckpoint.lastApplied(publisher: "reception", on: connection) == 0)
            #expect(try EventCheckpoint.advance(publisher: "reception", to: 5, on: connection))
            #expect(try !EventCheckpoint.advance(publisher: "reception", to: 3, on: connection))
            #expect(try !EventCheckpoint.advance(publisher: "reception", to: 5, on: connection))
            #expect(try EventCheckpoint.lastApplied(publisher: "reception", on: connection) == 5)
            let moved = try connection.transaction { connection in
                try EventCheckpoint.advance(publisher: "reception", to: 6, on: connection)
            }
            #expect(moved)
            #expect(try EventCheckpoint.lastApplied(publisher: "reception", on: connection) == 6)
            #expect(try EventCheckpoint.lastApplied(publisher: "billing", on: connection) == 0)
        }
    }

    @Test("an idempotency key stores the first reply; a second save is a unique violation")
    func idempotencyKeys() async throws {
        try await onThread {
            let db = try Self.migratedService("idempotency")
            let connection = try db.connect()
            let method = "clinic.billing.v1.Billing/Pay"
            #expect(try IdempotencyStore.find(key: "k1", method: method, on: connection) == nil)
            try IdempotencyStore.save(key: "k1", method: method, code: 0, payload: [9, 8], message: "", on: connection)
            #expect(try IdempotencyStore.find(key: "k1", method: method, on: connection)
                    == StoredReply(code: 0, payload: [9, 8], message: ""))
            #expect(try IdempotencyStore.find(key: "k1", method: "other", on: connection) == nil)
            let error = #expect(throws: StoreError.self) {
                try IdempotencyStore.save(key: "k1", method: method, code: 6, payload: [], message: "again",
                                          on: connection)
            }
            #expect(error?.isUniqueViolation == true)
            #expect(try IdempotencyStore.find(key: "k1", method: method, on: connection)?.code == 0)
        }
    }
}

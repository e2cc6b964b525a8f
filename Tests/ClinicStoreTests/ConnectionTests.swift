import ClinicStore
import ClinicTestSupport
import Foundation
import Synchronization
import Testing

/// A test-only signal between two threads.
private final class Gate: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    func open() { semaphore.signal() }
    func wait() -> Bool { semaphore.wait(timeout: .now() + 20) == .success }
}

/// A test-only counter shared by threads.
private final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

@Suite("Connection")
struct ConnectionTests {
    @Test("a transaction commits, and rolls back when its body throws")
    func commitAndRollback() async throws {
        try await onThread {
            let connection = try ServiceDatabase.make("tx_basic").connect()
            try connection.execute(script: "CREATE TABLE t (v int)")
            try connection.transaction { try $0.execute("INSERT INTO t VALUES (\(Int32(1)))") }
            struct Boom: Error {}
            #expect(throws: Boom.self) {
                try connection.transaction { connection in
                    try connection.execute("INSERT INTO t VALUES (\(Int32(2)))")
                    throw Boom()
                }
            }
            let values = try connection.query("SELECT v FROM t ORDER BY v").map { try $0.decode("v", as: Int.self) }
            #expect(values == [1])
            #expect(!connection.inTransaction)
        }
    }

    @Test("a body that swallows a database error does not commit")
    func swallowedErrorDoesNotCommit() async throws {
        try await onThread {
            let connection = try ServiceDatabase.make("tx_swallow").connect()
            try connection.execute(script: "CREATE TABLE t (v int PRIMARY KEY)")
            #expect(throws: StoreError.self) {
                try connection.transaction { connection in
                    try connection.execute("INSERT INTO t VALUES (\(Int32(1)))")
                    _ = try? connection.execute("INSERT INTO t VALUES (\(Int32(1)))")
                }
            }
            #expect(try connection.query("SELECT count(*) AS n FROM t")[0].decode("n", as: Int.self) == 0)
        }
    }

    @Test("a serialization failure retries the whole transaction, which then succeeds")
    func serializationFailureIsRetried() async throws {
        let db = try await onThread { try ServiceDatabase.make("tx_serial") }
        try await onThread {
            let connection = try db.connect()
            try connection.execute(script: "CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL); INSERT INTO counter VALUES (1, 0)")
        }
        let attempts = Counter()
        let readA = Gate()
        let readB = Gate()
        let increment: @Sendable (Gate, Gate) throws -> Void = { mine, theirs in
            let connection = try db.connect()
            var firstAttempt = true
            try connection.transaction(isolation: .serializable) { connection in
                attempts.increment()
                let n = try connection.query("SELECT n FROM counter WHERE id = 1")[0].decode("n", as: Int.self)
                if firstAttempt {
                    // Both transactions read the same snapshot before either writes: one must fail with 40001.
                    firstAttempt = false
                    mine.open()
                    guard theirs.wait() else { throw StoreError(kind: .query, message: "peer never read") }
                }
                try connection.execute("UPDATE counter SET n = \(n + 1) WHERE id = 1")
            }
        }
        async let first: Void = onThread { try increment(readA, readB) }
        async let second: Void = onThread { try increment(readB, readA) }
        _ = try await (first, second)
        let final = try await onThread {
            try db.connect().query("SELECT n FROM counter WHERE id = 1")[0].decode("n", as: Int.self)
        }
        #expect(final == 2)
        #expect(attempts.value == 3)
    }

    @Test("a pipeline answers each statement's rows in order, and a later statement sees what an earlier one wrote")
    func pipelineAnswersInOrder() async throws {
        try await onThread {
            let connection = try ServiceDatabase.make("pipeline_order").connect()
            try connection.execute(script: "CREATE TABLE t (v int PRIMARY KEY)")
            let results = try connection.transaction { connection in
                try connection.pipeline(["INSERT INTO t VALUES (\(Int32(1))), (\(Int32(2)))", "SELECT v FROM t ORDER BY v",
                                         "SELECT \(Int32(7)) AS seven"])
            }
            #expect(results.count == 3 && results[0].isEmpty)
            #expect(try results[1].map { try $0.decode("v", as: Int.self) } == [1, 2])
            #expect(try results[2].first?.decode("seven", as: Int.self) == 7)
            // Outside a transaction the statements are one implicit transaction: a failure takes back the ones before it.
            let error = #expect(throws: StoreError.self) {
                try connection.pipeline(["INSERT INTO t VALUES (\(Int32(3)))", "INSERT INTO t VALUES (\(Int32(1)))",
                                         "INSERT INTO t VALUES (\(Int32(4)))"])
            }
            #expect(error?.isUniqueViolation == true)
            #expect(try connection.query("SELECT count(*) AS n FROM t")[0].decode("n", as: Int.self) == 2)
            #expect(!connection.inTransaction)
        }
    }

    @Test("a failure inside a pipeline skips the rest, is thrown, and rolls the transaction back")
    func pipelineFailureRollsBack() async throws {
        try await onThread {
            let connection = try ServiceDatabase.make("pipeline_failure").connect()
            try connection.execute(script: "CREATE TABLE t (v int PRIMARY KEY)")
            let error = #expect(throws: StoreError.self) {
                try connection.transaction { connection in
                    try connection.execute("INSERT INTO t VALUES (\(Int32(1)))")
                    _ = try connection.pipeline(["INSERT INTO t VALUES (\(Int32(2)))", "INSERT INTO t VALUES (\(Int32(1)))",
                                                 "INSERT INTO t VALUES (\(Int32(3)))"])
                }
            }
            #expect(error?.isUniqueViolation == true)
            #expect(try connection.query("SELECT count(*) AS n FROM t")[0].decode("n", as: Int.self) == 0)
            // The session is healthy afterwards, in and out of transactions.
            try connection.transaction { try $0.execute("INSERT INTO t VALUES (\(Int32(5)))") }
            #expect(try connection.pipeline(["SELECT v FROM t"])[0].map { try $0.decode("v", as: Int.self) } == [5])
        }
    }

    @Test("a statement after one that waited for a lock in the same pipeline sees what the lock's holder committed")
    func pipelineReadsAfterALockWait() async throws {
        let db = try await onThread { try ServiceDatabase.make("pipeline_lock") }
        try await onThread {
            try db.connect().execute(script: "CREATE TABLE t (v int)")
        }
        let holding = Gate()
        async let holder: Void = onThread {
            let connection = try db.connect()
            try connection.transaction { connection in
                _ = try connection.query("SELECT pg_advisory_xact_lock(\(Int64(42)))")
                try connection.execute("INSERT INTO t VALUES (\(Int32(1)))")
                holding.open()
                Thread.sleep(forTimeInterval: 0.3)
            }
        }
        let seen = try await onThread {
            let connection = try db.connect()
            guard holding.wait() else { throw StoreError(kind: .query, message: "the holder never took the lock") }
            return try connection.transaction { connection in
                try connection.pipeline(["SELECT pg_advisory_xact_lock(\(Int64(42)))", "SELECT count(*) AS n FROM t"])[1]
                    .first?.decode("n", as: Int.self)
            }
        }
        try await holder
        #expect(seen == 1)
    }

    @Test("a write queued for the commit lands with it, is dropped by a rollback, and fails the commit when it fails")
    func writesQueuedForTheCommit() async throws {
        try await onThread {
            let connection = try ServiceDatabase.make("at_commit").connect()
            try connection.execute(script: "CREATE TABLE t (v int PRIMARY KEY)")
            try connection.transaction { connection in
                try connection.executeAtCommit("INSERT INTO t VALUES (\(Int32(2)))")
                try connection.execute("INSERT INTO t VALUES (\(Int32(1)))")
                // Queued, not yet run.
                #expect(try connection.query("SELECT count(*) AS n FROM t")[0].decode("n", as: Int.self) == 1)
            }
            #expect(try connection.query("SELECT v FROM t ORDER BY v").map { try $0.decode("v", as: Int.self) } == [1, 2])
            struct Boom: Error {}
            #expect(throws: Boom.self) {
                try connection.transaction { connection in
                    try connection.executeAtCommit("INSERT INTO t VALUES (\(Int32(3)))")
                    throw Boom()
                }
            }
            let error = #expect(throws: StoreError.self) {
                try connection.transaction { connection in
                    try connection.execute("INSERT INTO t VALUES (\(Int32(4)))")
                    try connection.executeAtCommit("INSERT INTO t VALUES (\(Int32(1)))")
                }
            }
            #expect(error?.isUniqueViolation == true)
            // Only queued writes, no statement before them: BEGIN, the writes and COMMIT go together.
            try connection.transaction { try $0.executeAtCommit("INSERT INTO t VALUES (\(Int32(5)))") }
            // A transaction that ran nothing commits nothing and leaves the session ready.
            try connection.transaction { _ in }
            #expect(try connection.query("SELECT v FROM t ORDER BY v").map { try $0.decode("v", as: Int.self) } == [1, 2, 5])
            #expect(!connection.inTransaction)
        }
    }

    @Test("a statement queued to run last goes after the queued writes, right before COMMIT, and answers once committed")
    func aStatementQueuedToRunLast() async throws {
        try await onThread {
            let connection = try ServiceDatabase.make("last_at_commit").connect()
            try connection.execute(script: "CREATE TABLE t (v int PRIMARY KEY); CREATE TABLE counter (n int NOT NULL); INSERT INTO counter VALUES (0)")
            var answer: CommittedRows?
            try connection.transaction { connection in
                answer = try connection.queryAtCommit("""
                    WITH next AS (UPDATE counter SET n = n + 1 RETURNING n)
                    SELECT next.n, (SELECT count(*) FROM t) AS rows_before FROM next
                    """)
                try connection.executeAtCommit("INSERT INTO t VALUES (\(Int32(1))), (\(Int32(2)))")
                #expect(answer?.rows.isEmpty == true)
            }
            #expect(try answer?.rows.first?.decode("n", as: Int.self) == 1)
            // The queued writes ran first.
            #expect(try answer?.rows.first?.decode("rows_before", as: Int.self) == 2)
            // A failure in the last statement rolls everything back.
            #expect(throws: StoreError.self) {
                try connection.transaction { connection in
                    try connection.executeAtCommit("INSERT INTO t VALUES (\(Int32(3)))")
                    _ = try connection.queryAtCommit("INSERT INTO t VALUES (\(Int32(1))) RETURNING v")
                }
            }
            #expect(try connection.query("SELECT count(*) AS n FROM t")[0].decode("n", as: Int.self) == 2)
            // Outside a transaction it runs at once.
            #expect(try connection.queryAtCommit("SELECT n FROM counter").rows.first?.decode("n", as: Int.self) == 1)
        }
    }

    @Test("a transaction gives up after maxAttempts serialization failures")
    func retriesAreBounded() async throws {
        try await onThread {
            let connection = try ServiceDatabase.make("tx_bounded").connect()
            var calls = 0
            let error = #expect(throws: StoreError.self) {
                try connection.transaction(maxAttempts: 3) { connection in
                    calls += 1
                    try connection.execute(script: "DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40001'; END $$")
                }
            }
            #expect(error?.kind == .serializationFailure)
            #expect(calls == 3)
        }
    }

    @Test("after the server ends the session, the next query reconnects and works")
    func reconnectsAfterTermination() async throws {
        try await onThread {
            let db = try ServiceDatabase.make("reconnect")
            let connection = try db.connect()
            try connection.execute(script: "CREATE TABLE t (v int)")
            // Warm the statement cache so the reconnect must also forget prepared statements.
            _ = try connection.query("SELECT count(*) AS n FROM t")
            let admin = try Connection(url: try TestDatabase.shared().adminURL, logger: TestDatabase.logger)
            let oldPID = connection.backendPID
            _ = try admin.query("SELECT pg_terminate_backend(\(Int32(oldPID)))")
            #expect(try connection.query("SELECT count(*) AS n FROM t")[0].decode("n", as: Int.self) == 0)
            #expect(connection.reconnectCount == 1)
            #expect(connection.backendPID != oldPID)

            // Inside a transaction the error propagates and the transaction is retried once on a new session.
            var runs = 0
            try connection.transaction { connection in
                runs += 1
                if runs == 1 { _ = try admin.query("SELECT pg_terminate_backend(\(Int32(connection.backendPID)))") }
                try connection.execute("INSERT INTO t VALUES (\(Int32(runs)))")
            }
            #expect(runs == 2)
            #expect(try connection.query("SELECT v FROM t")[0].decode("v", as: Int.self) == 2)
        }
    }

    @Test("a connection asked for generic plans plans that way, and still does after a reconnect")
    func genericPlanCachingOutlivesReconnects() async throws {
        try await onThread {
            let db = try ServiceDatabase.make("plans")
            let generic = try Connection(url: db.url, logger: TestDatabase.logger, planCaching: .generic)
            let automatic = try db.connect()
            func mode(_ connection: Connection) throws -> String {
                try connection.query("SELECT current_setting('plan_cache_mode') AS mode")[0].decode("mode")
            }
            #expect(try mode(generic) == "force_generic_plan")
            #expect(try mode(automatic) == "auto")
            let admin = try Connection(url: try TestDatabase.shared().adminURL, logger: TestDatabase.logger)
            _ = try admin.query("SELECT pg_terminate_backend(\(Int32(generic.backendPID)))")
            #expect(try mode(generic) == "force_generic_plan")
            #expect(generic.reconnectCount == 1)
        }
    }

    @Test("a statement is planned again once its plan is older than the plan lifetime, so it follows a table's growth")
    func plansAreRemadeAfterTheirLifetime() async throws {
        try await onThread {
            let db = try ServiceDatabase.make("replan")
            let connection = try Connection(url: db.url, logger: TestDatabase.logger, planCaching: .generic,
                                            planLifetime: .milliseconds(300))
            try connection.execute(script: "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'a'); ANALYZE t")
            func lookUp() throws -> String? { try connection.query("SELECT v FROM t WHERE id = \(Int32(1))").first?.decode("v") }
            func plan() throws -> String {
                let name: String = try connection.query("""
                    SELECT name FROM pg_prepared_statements WHERE statement LIKE 'SELECT v FROM t WHERE id%'
                    """)[0].decode("name")
                return try connection.query("EXPLAIN EXECUTE \(raw: name)(1)").map { try $0.decode("QUERY PLAN", as: String.self) }
                    .joined(separator: "\n")
            }
            #expect(try lookUp() == "a")
            #expect(try plan().contains("Seq Scan"))
            // The table grows without an ANALYZE: the cached plan keeps scanning until the statement is remade.
            try connection.execute(script: "INSERT INTO t SELECT n, 'v' || n FROM generate_series(2, 50000) AS n")
            #expect(try lookUp() == "a")
            #expect(try plan().contains("Seq Scan"))
            Thread.sleep(forTimeInterval: 0.4)
            #expect(try lookUp() == "a")
            #expect(try plan().contains("Index Scan"))
            let count: Int = try connection.query("""
                SELECT count(*) AS n FROM pg_prepared_statements WHERE statement LIKE 'SELECT v FROM t WHERE id%'
                """)[0].decode("n")
            #expect(count == 1)
        }
    }

    @Test("a statement whose table changed shape is prepared afresh, and the old one is dropped on the server")
    func aStatementOverAChangedTableIsPreparedAgain() async throws {
        try await onThread {
            let db = try ServiceDatabase.make("reshape")
            let connection = try db.connect()
            try connection.execute(script: "CREATE TABLE t (a int); INSERT INTO t VALUES (1)")
            #expect(try connection.query("SELECT * FROM t")[0].decode("a", as: Int.self) == 1)
            try connection.execute(script: "ALTER TABLE t ADD COLUMN b int DEFAULT 2")
            #expect(try connection.query("SELECT * FROM t")[0].decode("b", as: Int.self) == 2)
            let kept: Int = try connection.query("""
                SELECT count(*) AS n FROM pg_prepared_statements WHERE statement = 'SELECT * FROM t'
                """)[0].decode("n")
            #expect(kept == 1)
        }
    }

    @Test("a dedicated cluster restart is survived by an open connection")
    func reconnectsAfterServerRestart() async throws {
        try await onThread {
            let directory = try TestDatabase.makeScratchDirectory(prefix: "clinic-restart")
            defer { try? FileManager.default.removeItem(at: directory) }
            let cluster = LocalCluster(dataDirectory: directory.appendingPathComponent("pgdata"),
                                       port: try TestDatabase.freeTCPPort(), durable: false, logger: TestDatabase.logger)
            try cluster.start()
            defer { try? cluster.stop(mode: .immediate) }
            #expect(cluster.isRunning)
            let connection = try Connection(url: try cluster.adminURL, logger: TestDatabase.logger)
            #expect(try connection.query("SELECT \(41) + 1 AS v")[0].decode("v", as: Int.self) == 42)
            try cluster.restart()
            #expect(try connection.query("SELECT \(41) + 1 AS v")[0].decode("v", as: Int.self) == 42)
            #expect(connection.reconnectCount == 1)
            connection.close()
            try cluster.stop()
            #expect(!cluster.isRunning)
            // A closed connection reports an error instead of crashing.
            #expect(throws: StoreError.self) { try connection.query("SELECT 1") }
        }
    }

    @Test("a bad URL or refused connection is a connection error")
    func connectionErrors() async throws {
        try await onThread {
            let port = try TestDatabase.freeTCPPort()
            let error = #expect(throws: StoreError.self) {
                try Connection(url: "postgresql://nobody:secret@127.0.0.1:\(port)/x?connect_timeout=2",
                               logger: TestDatabase.logger)
            }
            #expect(error?.kind == .connection)
            #expect(throws: StoreError.self) { try Connection(url: "not a url at all ===", logger: TestDatabase.logger) }
        }
    }
}

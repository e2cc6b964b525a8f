import CPostgres
import Foundation
import Logging

/// One PostgreSQL session over libpq. Thread-confined: create, use and close it on one thread.
///
/// Statements are prepared once per distinct SQL text and then executed with bound text parameters.
/// If the server drops the session, the next call reconnects (and, outside a transaction, retries once).
/// Round trips are what a statement costs most on a busy machine (two context switches each), so a transaction's
/// BEGIN travels with its first statement and its COMMIT with the writes queued by `executeAtCommit`, and
/// `pipeline` sends several statements at once.
public final class Connection {
    private var handle: OpaquePointer?
    private let logger: Logger
    private let planCaching: PlanCaching
    private let planLifetime: Duration
    /// SQL text (plus parameter types) → server-side statement.
    private var statements: [String: PreparedStatement] = [:]
    private var statementCounter = 0
    private var transactionDepth = 0
    /// The first error raised inside the current transaction (COMMIT of an aborted transaction reports it).
    private var transactionFailure: StoreError?
    /// The current transaction's BEGIN, until it is sent ahead of the transaction's first statement.
    private var pendingBegin: String?
    /// Writes queued by `executeAtCommit`, sent with the COMMIT.
    private var atCommit: [SQL] = []
    /// Statements queued by `queryAtCommit`, sent after those writes, and where their rows go.
    private var lastAtCommit: [(sql: SQL, rows: CommittedRows)] = []
    private static let statementCacheLimit = 1024

    private struct PreparedStatement {
        var name: String
        var preparedAt: ContinuousClock.Instant
    }

    /// How many times this connection re-established its session; session state (advisory locks,
    /// SET commands) is lost at each reconnect.
    public private(set) var reconnectCount = 0

    /// Whether a transaction opened by `transaction(_:)` is in progress.
    public var inTransaction: Bool { transactionDepth > 0 }

    /// Connects with a `postgres://` URL or a `key=value` connection string; `planCaching` says how the
    /// statements it prepares are planned (kept across reconnects). A statement is prepared again once it is
    /// `planLifetime` old: a plan made while a table was nearly empty (a sequential scan) would otherwise outlive
    /// the table's growth until the next ANALYZE, which autovacuum may run a minute or more later.
    public init(url: String, logger: Logger, planCaching: PlanCaching = .automatic,
                planLifetime: Duration = .seconds(10)) throws {
        self.logger = logger
        self.planCaching = planCaching
        self.planLifetime = planLifetime
        guard let connection = PQconnectdb(url) else {
            throw StoreError(kind: .connection, message: "could not allocate a libpq connection")
        }
        handle = connection
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.connectionMessage(connection)
            PQfinish(connection)
            handle = nil
            throw StoreError(kind: .connection, message: message)
        }
        try configureSession()
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// Closes the session; later calls fail with a connection error.
    public func close() {
        if let handle { PQfinish(handle) }
        handle = nil
        statements.removeAll()
    }

    /// Whether the session is open and healthy as far as libpq knows.
    public var isConnected: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// The server process id serving this session.
    public var backendPID: Int {
        guard let handle else { return 0 }
        return Int(PQbackendPID(handle))
    }

    // MARK: Statements

    /// Runs a query and returns its rows.
    public func query(_ sql: SQL) throws -> [Row] {
        let result = try run(sql)
        var rows: [Row] = []
        rows.reserveCapacity(result.rowCount)
        for index in 0..<result.rowCount { rows.append(Row(result: result, index: Int32(index))) }
        return rows
    }

    /// Runs a statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ sql: SQL) throws -> Int {
        let result = try run(sql)
        guard let tuples = PQcmdTuples(result.handle) else { return 0 }
        return Int(String(cString: tuples)) ?? 0
    }

    /// Runs several statements without parameters (for migrations and set-up scripts).
    public func execute(script: String) throws {
        try sendPendingBegin()
        let handle = try usableHandle()
        let result = PQexec(handle, script)
        _ = try check(result, handle: handle)
    }

    /// Runs `statements` in order in one round trip (libpq's pipeline mode) and returns the rows of each.
    ///
    /// The server runs them one after another exactly as if they were sent one by one: each sees what the ones
    /// before it did and, under READ COMMITTED, takes its own snapshot when it starts (so a statement after one
    /// that waited for a lock sees what the lock's holder committed). Inside `transaction` they join it; outside
    /// one they run as one implicit transaction. If one fails, the rest are skipped and its error is thrown.
    public func pipeline(_ statements: [SQL]) throws -> [[Row]] {
        guard !statements.isEmpty else { return [] }
        return try runPipeline(statements.map(Step.statement)).map { result in
            (0..<result.rowCount).map { Row(result: result, index: Int32($0)) }
        }
    }

    /// Inside `transaction`: queues a write whose result nobody reads (an outbox row, an idempotency record) to be
    /// sent with the COMMIT, in the same round trip; if it fails, the transaction rolls back and its error is
    /// thrown. Queued writes run after everything else the transaction does, in the order queued (and before what
    /// `queryAtCommit` queued). Outside a transaction the statement runs at once.
    public func executeAtCommit(_ sql: SQL) throws {
        guard transactionDepth > 0 else {
            try execute(sql)
            return
        }
        try Self.checkParameters(sql.bindings)
        atCommit.append(sql)
    }

    /// Inside `transaction`: queues `sql` to be sent with the COMMIT, after the writes queued by `executeAtCommit`, so
    /// that it is the transaction's last statement; its rows are in the answer once `transaction` has returned. For
    /// the statement that takes a row every writer queues for (a gapless counter): sent last, it holds that row for
    /// itself and the commit only, with no round trip to the client in between. If it fails, the transaction rolls
    /// back. Outside a transaction it runs at once.
    public func queryAtCommit(_ sql: SQL) throws -> CommittedRows {
        let answer = CommittedRows()
        guard transactionDepth > 0 else {
            answer.rows = try query(sql)
            return answer
        }
        try Self.checkParameters(sql.bindings)
        lastAtCommit.append((sql, answer))
        return answer
    }

    // MARK: Transactions

    /// Runs `body` in a transaction and commits it; rolls back if it throws.
    ///
    /// On serialization failure (40001) or deadlock (40P01) the whole body is retried, up to `maxAttempts`
    /// times, after a short jittered pause; after a lost connection it is retried once on a fresh session.
    /// Called inside another transaction, `body` simply joins the outer one.
    @discardableResult
    public func transaction<T>(isolation: IsolationLevel = .readCommitted, maxAttempts: Int = 5,
                               _ body: (Connection) throws -> T) throws -> T {
        if transactionDepth > 0 { return try body(self) }
        var attempt = 0
        var reconnected = false
        while true {
            attempt += 1
            do {
                return try transactionAttempt(isolation: isolation, body)
            } catch let error as StoreError where error.kind == .serializationFailure && attempt < maxAttempts {
                let pause = Double.random(in: 0.5...1.5) * Double(min(attempt, 5)) * 0.002
                logger.debug("retrying transaction", metadata: ["attempt": "\(attempt)", "sqlstate": "\(error.sqlState ?? "")"])
                Thread.sleep(forTimeInterval: pause)
            } catch let error as StoreError where error.kind == .connection && !reconnected {
                reconnected = true
                logger.info("retrying transaction after a lost connection")
                guard let handle else { throw error }
                try reset(handle)
            }
        }
    }

    private func transactionAttempt<T>(isolation: IsolationLevel, _ body: (Connection) throws -> T) throws -> T {
        // BEGIN goes out with the first statement (a BEGIN takes no snapshot, so nothing changes by waiting).
        pendingBegin = "BEGIN ISOLATION LEVEL \(isolation.rawValue)"
        atCommit = []
        lastAtCommit = []
        transactionDepth = 1
        transactionFailure = nil
        defer {
            transactionDepth = 0
            transactionFailure = nil
            pendingBegin = nil
            atCommit = []
            lastAtCommit = []
        }
        let value: T
        do {
            value = try body(self)
        } catch {
            rollbackQuietly()
            throw error
        }
        let status: String
        do {
            status = try commit()
        } catch {
            // A queued write failed: the COMMIT behind it was skipped and the transaction is still open, aborted.
            rollbackQuietly()
            throw error
        }
        if status == "ROLLBACK" {
            // The body swallowed an error; the server rolled back instead of committing.
            throw transactionFailure ?? StoreError(kind: .query, message: "transaction was aborted and rolled back")
        }
        return value
    }

    /// Sends the queued statements and COMMIT in one round trip; answers COMMIT's command status ("ROLLBACK" when the
    /// transaction had failed). A transaction that never sent a statement has nothing to commit.
    private func commit() throws -> String {
        let queued = atCommit + lastAtCommit.map(\.sql)
        let answers = lastAtCommit.map(\.rows)
        atCommit = []
        lastAtCommit = []
        if pendingBegin != nil, queued.isEmpty {
            pendingBegin = nil
            return "COMMIT"
        }
        if pendingBegin == nil, queued.isEmpty { return try simpleCommand("COMMIT") }
        let results = try runPipeline(queued.map(Step.statement) + [.command("COMMIT")])
        guard results.count == queued.count + 1 else { throw StoreError(kind: .query, message: "the commit answered \(results.count) results") }
        for (answer, result) in zip(answers, results[(queued.count - answers.count)...]) {
            answer.rows = (0..<result.rowCount).map { Row(result: result, index: Int32($0)) }
        }
        return results.last.flatMap { PQcmdStatus($0.handle).map { String(cString: $0) } } ?? ""
    }

    private func rollbackQuietly() {
        // BEGIN never sent: there is nothing to roll back.
        if pendingBegin != nil {
            pendingBegin = nil
            return
        }
        guard let handle, PQstatus(handle) == CONNECTION_OK else { return }
        if let result = PQexec(handle, "ROLLBACK") { PQclear(result) }
    }

    /// Sends the transaction's BEGIN now, for the calls that cannot carry it with them.
    private func sendPendingBegin() throws {
        guard let begin = pendingBegin else { return }
        pendingBegin = nil
        try simpleCommand(begin)
    }

    @discardableResult
    private func simpleCommand(_ text: String) throws -> String {
        let handle = try usableHandle()
        let result = try check(PQexec(handle, text), handle: handle)
        return PQcmdStatus(result.handle).map { String(cString: $0) } ?? ""
    }

    // MARK: Execution

    private func run(_ sql: SQL) throws -> QueryResult {
        do {
            return try runOnce(sql)
        } catch let error as StoreError where error.kind == .connection && transactionDepth == 0 {
            // Outside a transaction a lost session is re-established and the statement retried once.
            guard let handle else { throw error }
            logger.info("database connection lost; reconnecting")
            try reset(handle)
            return try runOnce(sql)
        } catch let error as StoreError where error.sqlState == "0A000" && transactionDepth == 0
            && error.message.contains("cached plan") {
            // A migration changed a table under a prepared statement: prepare it afresh.
            if let handle { try forgetStatement(cacheKey(sql), on: handle) }
            return try runOnce(sql)
        }
    }

    private func runOnce(_ sql: SQL) throws -> QueryResult {
        // A transaction's first statement carries its BEGIN: one round trip for both.
        if pendingBegin != nil, let result = try runPipeline([.statement(sql)]).last { return result }
        let handle = try usableHandle()
        let types = sql.bindings.map { $0.typeOID }
        let name = try preparedName(sql, on: handle)
        return try withParameters(sql.bindings) { values in
            let result: OpaquePointer?
            if let name {
                result = PQexecPrepared(handle, name, Int32(sql.bindings.count), values, nil, nil, 0)
            } else {
                result = types.withUnsafeBufferPointer { typeBuffer in
                    PQexecParams(handle, sql.text, Int32(types.count), typeBuffer.baseAddress, values, nil, nil, 0)
                }
            }
            return try check(result, handle: handle)
        }
    }

    /// The server-side statement for `sql`, prepared now if it is new or its plan is past its lifetime; nil when
    /// the cache is full (the statement is then sent with its text).
    private func preparedName(_ sql: SQL, on handle: OpaquePointer) throws -> String? {
        let key = cacheKey(sql)
        let now = ContinuousClock.now
        if let cached = statements[key] {
            guard now - cached.preparedAt > planLifetime, transactionFailure == nil else { return cached.name }
            try forgetStatement(key, on: handle)
        }
        guard statements.count < Self.statementCacheLimit else { return nil }
        statementCounter += 1
        let newName = "clinic_\(statementCounter)"
        let types = sql.bindings.map { $0.typeOID }
        let prepared = types.withUnsafeBufferPointer { typeBuffer in
            PQprepare(handle, newName, sql.text, Int32(types.count), typeBuffer.baseAddress)
        }
        _ = try check(prepared, handle: handle)
        statements[key] = PreparedStatement(name: newName, preparedAt: now)
        return newName
    }

    /// One message of a pipeline: a prepared statement, or a command without parameters (BEGIN, COMMIT).
    private enum Step {
        case statement(SQL)
        case command(String)
    }

    /// Sends `steps` (after the pending BEGIN, if any) and one sync, then reads every answer; returns the steps'
    /// results in order, or throws the first error once all are read. New statements are prepared beforehand.
    private func runPipeline(_ steps: [Step]) throws -> [QueryResult] {
        let handle = try usableHandle()
        var steps = steps
        var skipped = 0
        if let begin = pendingBegin {
            steps.insert(.command(begin), at: 0)
            skipped = 1
        }
        // Everything that can fail before sending fails here, so that a pipeline is sent whole or not at all.
        var names: [String?] = []
        for step in steps {
            guard case .statement(let sql) = step else {
                names.append(nil)
                continue
            }
            try Self.checkParameters(sql.bindings)
            names.append(try preparedName(sql, on: handle))
        }
        pendingBegin = nil
        guard PQenterPipelineMode(handle) == 1 else {
            throw failure(StoreError(kind: .connection, message: Self.connectionMessage(handle)))
        }
        var sendFailed = false
        for (step, name) in zip(steps, names) where !sendFailed {
            let sent: Int32
            switch step {
            case .command(let text):
                sent = PQsendQueryParams(handle, text, 0, nil, nil, nil, nil, 0)
            case .statement(let sql):
                let types = sql.bindings.map { $0.typeOID }
                sent = try withParameters(sql.bindings, checked: true) { values in
                    if let name { return PQsendQueryPrepared(handle, name, Int32(sql.bindings.count), values, nil, nil, 0) }
                    return types.withUnsafeBufferPointer { typeBuffer in
                        PQsendQueryParams(handle, sql.text, Int32(types.count), typeBuffer.baseAddress, values, nil, nil, 0)
                    }
                }
            }
            sendFailed = sent != 1
        }
        if !sendFailed { sendFailed = PQpipelineSync(handle) != 1 }
        // Every step answers with its results and a terminating null; the sync answers last.
        var answers: [OpaquePointer?] = []
        for _ in steps where !sendFailed {
            var first: OpaquePointer?
            while let result = PQgetResult(handle) {
                if first == nil { first = result } else { PQclear(result) }
                if PQresultStatus(result) == PGRES_PIPELINE_SYNC { break }
            }
            answers.append(first)
            // A lost session answers no more: stop reading and start afresh below.
            sendFailed = PQstatus(handle) != CONNECTION_OK
        }
        if !sendFailed, let sync = PQgetResult(handle) { PQclear(sync) }
        if PQexitPipelineMode(handle) != 1 || sendFailed {
            // Half a pipeline cannot be finished: the session is started afresh (its transaction is lost).
            for case let answer? in answers { PQclear(answer) }
            let error = StoreError(kind: .connection, message: "pipeline interrupted: " + Self.connectionMessage(handle))
            try? reset(handle)
            throw failure(error)
        }
        var results: [QueryResult] = []
        var firstError: Error?
        for answer in answers {
            guard let answer else {
                firstError = firstError ?? failure(StoreError(kind: .connection, message: Self.connectionMessage(handle)))
                continue
            }
            if PQresultStatus(answer) == PGRES_PIPELINE_ABORTED {
                // Skipped because an earlier step failed; that step's error is the one to report.
                PQclear(answer)
                continue
            }
            do {
                results.append(try check(answer, handle: handle))
            } catch {
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
        return Array(results.dropFirst(skipped))
    }

    /// Drops the prepared statement cached under `key`, on the server too.
    private func forgetStatement(_ key: String, on handle: OpaquePointer) throws {
        guard let stale = statements.removeValue(forKey: key) else { return }
        _ = try check(PQexec(handle, "DEALLOCATE \(stale.name)"), handle: handle)
    }

    private func cacheKey(_ sql: SQL) -> String {
        guard !sql.bindings.isEmpty else { return sql.text }
        var key = sql.text
        key.append("\u{0}")
        for binding in sql.bindings {
            key.append(String(binding.typeOID))
            key.append(",")
        }
        return key
    }

    /// Refuses a parameter containing a NUL character (libpq would cut it short).
    private static func checkParameters(_ bindings: [SQLBinding]) throws {
        for (position, binding) in bindings.enumerated() {
            guard var text = binding.text else { continue }
            if text.withUTF8({ containsNUL($0) }) {
                throw StoreError(kind: .query, message: "parameter $\(position + 1) contains a NUL character")
            }
        }
    }

    /// Whether `bytes` hold a NUL (memchr: an encoded reply or event is kilobytes long).
    private static func containsNUL(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        return memchr(base, 0, bytes.count) != nil
    }

    /// Lays out all parameter texts in one NUL-separated buffer and passes pointers into it.
    private func withParameters<R>(_ bindings: [SQLBinding], checked: Bool = false,
                                   _ body: (UnsafePointer<UnsafePointer<CChar>?>?) throws -> R) throws -> R {
        if bindings.isEmpty { return try body(nil) }
        var total = 0
        for binding in bindings { total += (binding.text?.utf8.count ?? 0) + 1 }
        let storage = UnsafeMutablePointer<CChar>.allocate(capacity: total)
        defer { storage.deallocate() }
        var pointers = [UnsafePointer<CChar>?](repeating: nil, count: bindings.count)
        var offset = 0
        for (position, binding) in bindings.enumerated() {
            guard var text = binding.text else { continue }
            let length = try text.withUTF8 { utf8 -> Int in
                guard checked || !Self.containsNUL(utf8) else {
                    throw StoreError(kind: .query, message: "parameter $\(position + 1) contains a NUL character")
                }
                if let base = utf8.baseAddress {
                    UnsafeMutableRawPointer(storage + offset).copyMemory(from: base, byteCount: utf8.count)
                }
                return utf8.count
            }
            storage[offset + length] = 0
            pointers[position] = UnsafePointer(storage + offset)
            offset += length + 1
        }
        return try pointers.withUnsafeBufferPointer { try body($0.baseAddress) }
    }

    /// The live handle, reconnecting first if the session was lost (not inside a transaction).
    private func usableHandle() throws -> OpaquePointer {
        guard let handle else {
            throw StoreError(kind: .connection, message: "connection is closed")
        }
        if PQstatus(handle) == CONNECTION_OK { return handle }
        if transactionDepth > 0 {
            throw StoreError(kind: .connection, message: "connection lost during a transaction")
        }
        try reset(handle)
        return handle
    }

    private func reset(_ handle: OpaquePointer) throws {
        statements.removeAll()
        PQreset(handle)
        guard PQstatus(handle) == CONNECTION_OK else {
            throw StoreError(kind: .connection, message: Self.connectionMessage(handle))
        }
        reconnectCount += 1
        try configureSession()
        logger.info("database connection re-established")
    }

    /// Fixes the session settings that value decoding relies on.
    private func configureSession() throws {
        guard let handle else { return }
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        let setup = "SET client_encoding = 'UTF8'; SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; "
            + "SET bytea_output = 'hex'; SET extra_float_digits = 3" + planCaching.setting
        _ = try check(PQexec(handle, setup), handle: handle)
    }

    /// Wraps a result, or throws the error it carries.
    private func check(_ result: OpaquePointer?, handle: OpaquePointer) throws -> QueryResult {
        guard let result else {
            throw failure(StoreError(kind: PQstatus(handle) == CONNECTION_OK ? .query : .connection,
                                     message: Self.connectionMessage(handle)))
        }
        let status = PQresultStatus(result)
        if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY {
            return QueryResult(handle: result)
        }
        defer { PQclear(result) }
        let sqlState = Self.field(result, "C")
        var kind = StoreError.kind(forSQLState: sqlState)
        if PQstatus(handle) != CONNECTION_OK { kind = .connection }
        let primary = Self.field(result, "M") ?? Self.connectionMessage(handle)
        throw failure(StoreError(
            kind: kind, sqlState: sqlState, constraint: Self.field(result, "n"), table: Self.field(result, "t"),
            message: StoreError.redacted(primary, sqlState: sqlState), detail: Self.field(result, "D")))
    }

    private func failure(_ error: StoreError) -> StoreError {
        if transactionDepth > 0, transactionFailure == nil { transactionFailure = error }
        return error
    }

    private static func field(_ result: OpaquePointer, _ code: Unicode.Scalar) -> String? {
        PQresultErrorField(result, Int32(code.value)).map { String(cString: $0) }
    }

    private static func connectionMessage(_ handle: OpaquePointer) -> String {
        guard let text = PQerrorMessage(handle) else { return "connection failed" }
        let message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        return message.isEmpty ? "connection failed" : message
    }

    // MARK: Internal helpers

    /// Quotes a string as a SQL literal, for the few utility statements that cannot take parameters.
    func quoteLiteral(_ value: String) throws -> String {
        let handle = try usableHandle()
        guard let escaped = PQescapeLiteral(handle, value, value.utf8.count) else {
            throw StoreError(kind: .query, message: "could not quote a literal")
        }
        defer { PQfreemem(escaped) }
        return String(cString: escaped)
    }
}

/// The rows of a statement queued with `Connection.queryAtCommit`: empty until the transaction has committed. Used on
/// its connection's thread, like the connection.
public final class CommittedRows {
    /// The statement's rows.
    public fileprivate(set) var rows: [Row] = []

    fileprivate init() {}
}

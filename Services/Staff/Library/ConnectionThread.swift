import ClinicStore
import Foundation
import Logging
import Synchronization

/// One database connection on an OS thread of its own, running the reads handed to it one at a time: how async
/// code (the token verifier) reaches staff's tables without blocking Swift's cooperative pool. The connection is
/// opened on first use, closed after a minute idle, and the thread ends when the owner goes away.
final class ConnectionThread: Sendable {
    private typealias Job = @Sendable (Connection?, (any Error)?) -> Void

    /// What the owner and the thread share; the thread holds only this, so the owner can go away.
    private final class Queue: Sendable {
        let jobs = Mutex<(waiting: [Job], closed: Bool)>(([], false))
        let ready = DispatchSemaphore(value: 0)

        func put(_ job: @escaping Job) -> Bool {
            let accepted = jobs.withLock { state -> Bool in
                guard !state.closed else { return false }
                state.waiting.append(job)
                return true
            }
            if accepted { ready.signal() }
            return accepted
        }

        func close() {
            jobs.withLock { $0.closed = true }
            ready.signal()
        }

        /// The next job, nil after `idle` without one, or `.closed` once the owner went away.
        func take(idle: Duration) -> Taken {
            if ready.wait(timeout: .now() + idle.seconds) == .timedOut { return .idle }
            return jobs.withLock { state in
                if !state.waiting.isEmpty { return .job(state.waiting.removeFirst()) }
                return state.closed ? .closed : .idle
            }
        }

        enum Taken {
            case job(Job)
            case idle
            case closed
        }
    }

    private let queue = Queue()

    /// Starts the thread for `url`; nothing connects until the first read.
    init(name: String, url: String, logger: Logger, idle: Duration = .seconds(60)) {
        let queue = queue
        let thread = Thread {
            var db: Connection?
            defer { db?.close() }
            while true {
                switch queue.take(idle: idle) {
                case .closed: return
                case .idle:
                    db?.close()
                    db = nil
                case .job(let job):
                    if db.map({ !$0.isConnected }) ?? false {
                        db?.close()
                        db = nil
                    }
                    do {
                        if db == nil { db = try Connection(url: url, logger: logger) }
                        job(db, nil)
                    } catch {
                        job(nil, error)
                    }
                }
            }
        }
        thread.name = name
        thread.start()
    }

    deinit { queue.close() }

    /// Runs `body` on the thread with its connection and returns what it returns.
    func run<Value: Sendable>(_ body: @escaping @Sendable (Connection) throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Value, any Error>) in
            let accepted = queue.put { db, failure in
                guard let db else {
                    done.resume(throwing: failure ?? StoreError(kind: .connection, message: "no connection"))
                    return
                }
                done.resume(with: Result { try body(db) })
            }
            if !accepted { done.resume(throwing: StoreError(kind: .connection, message: "the connection thread has stopped")) }
        }
    }
}

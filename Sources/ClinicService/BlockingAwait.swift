import Dispatch
import Synchronization

/// Waits, on a thread that may block (a worker thread, never one of Swift's cooperative pool), for async work
/// such as jwt-kit's signing and verifying.
public enum BlockingAwait {
    /// Runs `body` as a task and blocks the calling thread until it has finished; returns its value or throws its
    /// error. The task must not itself wait for the calling thread.
    ///
    /// The task runs on an executor of its own (a dispatch queue), not on Swift's cooperative pool: a worker
    /// waiting here then never depends on a pool thread, which may itself be blocked (in a test stopping a
    /// service, say) waiting for that worker.
    public static func run<Value: Sendable, Failure: Error>(
        _ body: @escaping @Sendable () async throws(Failure) -> Value
    ) throws(Failure) -> Value {
        let outcome = Mutex<Result<Value, Failure>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task(executorPreference: executor) {
            let result: Result<Value, Failure>
            do throws(Failure) { result = .success(try await body()) } catch { result = .failure(error) }
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return try outcome.withLock { $0! }.get()
    }

    /// The executor those tasks (and the default actors they call, such as jwt-kit's key collection) run on.
    static let executor = QueueTaskExecutor(label: "clinic.blocking-await")
}

/// A task executor that runs jobs on one dispatch queue.
final class QueueTaskExecutor: TaskExecutor {
    private let queue: DispatchQueue

    init(label: String) { queue = DispatchQueue(label: label) }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

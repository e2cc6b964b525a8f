import Dispatch
import Synchronization

/// Waits, on a thread that may block (a worker thread, never one of Swift's cooperative pool), for async work
/// such as jwt-kit's signing and verifying.
public enum BlockingAwait {
    /// Runs `body` as a task and blocks the calling thread until it has finished; returns its value or throws its
    /// error. The task must not itself wait for the calling thread.
    public static func run<Value: Sendable, Failure: Error>(
        _ body: @escaping @Sendable () async throws(Failure) -> Value
    ) throws(Failure) -> Value {
        let outcome = Mutex<Result<Value, Failure>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let result: Result<Value, Failure>
            do throws(Failure) { result = .success(try await body()) } catch { result = .failure(error) }
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return try outcome.withLock { $0! }.get()
    }
}

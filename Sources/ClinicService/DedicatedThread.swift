import Foundation
import Synchronization

/// An OS thread (not the cooperative pool) that runs a blocking loop until it is asked to stop.
public final class DedicatedThread: Sendable {
    private let name: String
    private let body: @Sendable (DedicatedThread) -> Void
    private let stopRequested = Mutex(false)
    private let finished = DispatchSemaphore(value: 0)

    /// A thread named `name` that will run `body`; `body` should return soon after `shouldStop` turns true.
    public init(name: String, body: @escaping @Sendable (DedicatedThread) -> Void) {
        self.name = name
        self.body = body
    }

    /// True once `stop()` has been called.
    public var shouldStop: Bool { stopRequested.withLock { $0 } }

    /// Starts the thread.
    public func start() {
        let thread = Thread { [self] in
            body(self)
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Asks the loop to stop and waits until it has returned.
    public func stop() {
        stopRequested.withLock { $0 = true }
        finished.wait()
    }

    /// Sleeps up to `duration`, waking early when stop is requested.
    public func pause(_ duration: Duration) {
        let deadline = ContinuousClock.now + duration
        while !shouldStop, ContinuousClock.now < deadline {
            let left = deadline - ContinuousClock.now
            Thread.sleep(forTimeInterval: min(0.05, max(0, Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18)))
        }
    }
}

import Foundation

/// Runs blocking work (libpq, zmq, processes) on a dedicated thread, keeping Swift's cooperative pool free.
public func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try body() })
        }
        thread.start()
    }
}

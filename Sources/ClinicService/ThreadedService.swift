import Foundation
import Logging
import ServiceLifecycle

/// A part that runs on threads of its own (a worker pool, the outbox relay, an event consumer, a background job,
/// the broker) as a swift-service-lifecycle `Service`: started when its group runs, and stopped when the group
/// shuts down gracefully, on an OS thread, since stopping waits for those threads.
public struct ThreadedService: Service, CustomStringConvertible {
    /// How a part starts and stops (both may block).
    public struct Part: Sendable {
        /// The part's name, for logs.
        public let name: String
        /// Starts the part's threads.
        public let start: @Sendable () throws -> Void
        /// Stops the part, blocking until its threads have finished.
        public let stop: @Sendable () -> Void

        /// A part named `name`.
        public init(_ name: String, start: @escaping @Sendable () throws -> Void, stop: @escaping @Sendable () -> Void) {
            self.name = name
            self.start = start
            self.stop = stop
        }
    }

    private let part: Part

    /// The part as a service.
    public init(_ part: Part) { self.part = part }

    /// A part named `name`, started by `start` and stopped (blocking until it has) by `stop`.
    public init(_ name: String, start: @escaping @Sendable () throws -> Void, stop: @escaping @Sendable () -> Void) {
        self.init(Part(name, start: start, stop: stop))
    }

    /// The part's name.
    public var description: String { part.name }

    /// Starts the part, waits for the group's graceful shutdown (or cancellation), then stops it.
    public func run() async throws {
        try await Self.blocking(part.start)
        // Throws only when the task is cancelled; the part is stopped either way.
        try? await gracefulShutdown()
        try? await Self.blocking(part.stop)
    }

    /// Runs `body` on an OS thread of its own (never on the cooperative pool, which blocking calls starve) and
    /// returns its result.
    public static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<T, any Error>) in
            Thread { done.resume(with: Result { try body() }) }.start()
        }
    }

    /// Runs `services` in one group until SIGTERM or SIGINT, which shut them down gracefully in reverse order:
    /// list them in start order, so that what takes work stops first and what publishes its results stops last.
    public static func runGroup(_ services: [any Service], logger: Logger) async throws {
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}

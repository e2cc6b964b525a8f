import ClinicStore
import Foundation
import Logging

/// A unit of periodic work a service does besides answering rpcs (e.g. marking no-shows).
public struct BackgroundJob: Sendable {
    /// Name for logs and the thread.
    public var name: String
    /// Pause between the end of one run and the start of the next.
    public var interval: Duration
    /// One run, on the job's own connection; throwing logs the error and the job runs again next interval.
    public var run: @Sendable (_ db: Connection, _ environment: ServiceEnvironment) throws -> Void

    /// Describes a job.
    public init(name: String, interval: Duration,
                run: @escaping @Sendable (Connection, ServiceEnvironment) throws -> Void) {
        self.name = name
        self.interval = interval
        self.run = run
    }
}

/// Runs one BackgroundJob on a dedicated thread with its own database connection until stopped.
public final class BackgroundJobRunner: Sendable {
    private let thread: DedicatedThread

    /// A runner that does nothing until `start()`.
    public init(_ job: BackgroundJob, databaseURL: String, environment: ServiceEnvironment) {
        let logger = environment.logger
        thread = DedicatedThread(name: "job-\(job.name)") { thread in
            var db: Connection?
            defer { db?.close() }
            while !thread.shouldStop {
                do {
                    if db == nil { db = try Connection(url: databaseURL, logger: logger) }
                    if let db { try job.run(db, environment) }
                } catch {
                    logger.warning("background job failed; retrying next interval",
                                   metadata: ["job": "\(job.name)", "error": "\(error)"])
                    if let failed = db, !failed.isConnected {
                        failed.close()
                        db = nil
                    }
                }
                thread.pause(job.interval)
            }
        }
    }

    /// Starts running the job on its thread.
    public func start() { thread.start() }

    /// Stops after the run in progress and waits for the thread to end.
    public func stop() { thread.stop() }
}

import ClinicBus
import ClinicStore
import Dispatch
import Foundation
import Logging

/// Runs one service process: migrations, N worker threads on the bus, the outbox relay, and (when the
/// definition asks) an event consumer and background jobs.
public final class ServiceHost: Sendable {
    private let pool: WorkerPool
    private let relay: EventRelay
    private let consumer: EventConsumer?
    private let jobs: [BackgroundJobRunner]
    private let logger: Logger

    /// Applies the service's migrations (core tables first) under an advisory lock; returns what was applied.
    @discardableResult
    public static func migrate(_ definition: ServiceDefinition, databaseURL: String, logger: Logger) throws -> [Int] {
        let db = try Connection(url: databaseURL, logger: logger)
        defer { db.close() }
        let schema = try db.query("SELECT current_schema() AS schema").first?.decode("schema", as: String.self) ?? definition.name
        try Migrator.apply(CoreMigrations.all, component: "core", schema: schema, on: db, logger: logger)
        return try Migrator.apply(definition.migrations, component: definition.name, schema: schema, on: db, logger: logger)
    }

    /// Migrates, then starts workers and relay; returns once they run.
    public init(_ definition: ServiceDefinition, settings: ServiceSettings, logger: Logger) throws {
        let databaseURL = settings.databaseURL
        let applied = try Self.migrate(definition, databaseURL: databaseURL, logger: logger)
        if !applied.isEmpty { logger.info("migrations applied", metadata: ["versions": "\(applied)"]) }

        let environment = ServiceEnvironment(timeZone: settings.timeZone, logger: logger, busEndpoint: settings.bus)
        var configuration = WorkerConfiguration(brokerEndpoint: settings.bus, service: definition.busService,
                                                threads: settings.workers)
        configuration.heartbeatInterval = settings.heartbeat
        pool = WorkerPool(configuration: configuration, logger: logger) { _ in
            // Runs on the worker thread: the connection lives and dies with it.
            let db = try Connection(url: databaseURL, logger: logger, planCaching: definition.planCaching)
            return try definition.routes(db: db, environment: environment)
        }
        relay = EventRelay(configuration: .init(publisher: definition.name, databaseURL: databaseURL,
                                                eventsEndpoint: settings.eventsIn), logger: logger)
        if definition.eventSources.isEmpty {
            consumer = nil
        } else {
            let makeHandlers = definition.makeEventHandlers
            consumer = EventConsumer(
                configuration: .init(name: definition.name, databaseURL: databaseURL, busEndpoint: settings.bus,
                                     eventsEndpoint: settings.eventsOut, sources: definition.eventSources),
                logger: logger) { makeHandlers(environment) }
        }
        jobs = definition.backgroundJobs.map { BackgroundJobRunner($0, databaseURL: databaseURL, environment: environment) }
        self.logger = logger
        try pool.start()
        relay.start()
        consumer?.start()
        jobs.forEach { $0.start() }
        logger.info("service started", metadata: ["service": "\(definition.name)", "bus": "\(settings.bus)",
                                                  "workers": "\(settings.workers)"])
    }

    /// Stops taking work, finishes what is in flight, and closes sockets and connections.
    public func stop() {
        pool.stop()
        jobs.forEach { $0.stop() }
        consumer?.stop()
        relay.stop()
        logger.info("service stopped")
    }

    /// Runs a service until SIGINT or SIGTERM, then stops it gracefully.
    public static func runUntilSignalled(_ definition: ServiceDefinition, options: ServiceOptions) throws {
        ClinicLogging.bootstrap(level: options.logLevel)
        let logger = Logger(label: "clinic.\(definition.name)")
        let host = try ServiceHost(definition, settings: try options.settings(service: definition.name), logger: logger)
        SignalWaiter.waitForTermination()
        logger.info("shutting down")
        host.stop()
    }
}

/// Blocks the calling thread until the process receives SIGINT or SIGTERM.
public enum SignalWaiter {
    /// Waits for SIGINT or SIGTERM, or until `stopEarly` (checked twice a second) returns true; the default
    /// handlers are replaced so the process can shut down in order.
    public static func waitForTermination(stopEarly: (@Sendable () -> Bool)? = nil) {
        let done = DispatchSemaphore(value: 0)
        let queue = DispatchQueue(label: "clinic.signals")
        let sources = [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler { done.signal() }
            source.resume()
            return source
        }
        let watcher = stopEarly.map { check in
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now() + 0.5, repeating: 0.5)
            timer.setEventHandler { if check() { done.signal() } }
            timer.resume()
            return timer
        }
        done.wait()
        watcher?.cancel()
        sources.forEach { $0.cancel() }
    }
}

import ClinicBus
import ClinicStore
import Dispatch
import Foundation
import Logging
import Synchronization

/// Runs one service process: migrations, N worker threads on the bus, the outbox relay, and (when the
/// definition asks) an event consumer and background jobs. `run` runs them as one lifecycle `ServiceGroup`;
/// `init` starts them directly (tests, embedding) and `stop` stops them in the same order a shutdown does.
public final class ServiceHost: Sendable {
    private let parts: [ThreadedService.Part]
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

    /// The service's long-running parts in start order: relay, consumer, jobs, worker pool. A shutdown runs it
    /// backwards: the workers stop taking requests and finish what they hold, jobs and consumer stop, and the relay,
    /// last, publishes what was committed.
    static func parts(_ definition: ServiceDefinition, settings: ServiceSettings, logger: Logger) -> [ThreadedService.Part] {
        let databaseURL = settings.databaseURL
        let environment = ServiceEnvironment(timeZone: settings.timeZone, logger: logger, busEndpoint: settings.bus)
        var configuration = WorkerConfiguration(brokerEndpoint: settings.bus, service: definition.busService,
                                                threads: settings.workers, security: settings.security)
        configuration.heartbeatInterval = settings.heartbeat
        // One verifier for the process: its worker threads share the keys, the revocations and the verified tokens.
        let outbound = OutboundBus(endpoint: settings.bus, security: settings.security, logger: logger)
        let source = definition.trustSource?(databaseURL, logger) ?? BusStaffTrustSource(transport: outbound)
        let verifier = StaffTokenVerifier(source: source, logger: logger)
        let gate = StaffGate(verifier: verifier, peers: settings.effectivePeerRoles)
        let pool = WorkerPool(configuration: configuration, logger: logger, outbound: outbound) { _ in
            // Runs on the worker thread: the connection lives and dies with it.
            let db = try Connection(url: databaseURL, logger: logger, planCaching: definition.planCaching)
            let routes = try definition.routes(db: db, environment: environment)
            routes.gate = gate
            return routes
        }
        let following = Mutex<Task<Void, Never>?>(nil)
        var relayConfiguration = EventRelay.Configuration(publisher: definition.name, databaseURL: databaseURL,
                                                          eventsEndpoint: settings.eventsIn)
        relayConfiguration.security = settings.security
        let relay = EventRelay(configuration: relayConfiguration, logger: logger)
        var parts = [ThreadedService.Part("relay", start: { relay.start() }, stop: { relay.stop() })]
        // One consumer per publisher: a publisher that is down (or not deployed yet) delays no other's events.
        for source in definition.eventSources {
            let makeHandlers = definition.makeEventHandlers
            var consumerConfiguration = EventConsumer.Configuration(
                name: "\(definition.name)-\(source.publisher)", databaseURL: databaseURL, busEndpoint: settings.bus,
                eventsEndpoint: settings.eventsOut, sources: [source])
            consumerConfiguration.security = settings.security
            let consumer = EventConsumer(configuration: consumerConfiguration, logger: logger) { makeHandlers(environment) }
            parts.append(.init("consumer", start: { consumer.start() }, stop: { consumer.stop() }))
        }
        for job in definition.backgroundJobs {
            let runner = BackgroundJobRunner(job, databaseURL: databaseURL, environment: environment)
            parts.append(.init("job", start: { runner.start() }, stop: { runner.stop() }))
        }
        parts.append(.init("token verifier", start: {
            following.withLock { $0 = Task { await verifier.follow() } }
        }, stop: {
            following.withLock { $0?.cancel() }
        }))
        parts.append(.init("workers", start: { try pool.start() }, stop: { pool.stop() }))
        return parts
    }

    /// Migrates, then starts every part; returns once they run.
    public init(_ definition: ServiceDefinition, settings: ServiceSettings, logger: Logger) throws {
        let applied = try Self.migrate(definition, databaseURL: settings.databaseURL, logger: logger)
        if !applied.isEmpty { logger.info("migrations applied", metadata: ["versions": "\(applied)"]) }
        parts = Self.parts(definition, settings: settings, logger: logger)
        self.logger = logger
        for part in parts { try part.start() }
        logger.info("service started", metadata: ["service": "\(definition.name)", "bus": "\(settings.bus)",
                                                  "workers": "\(settings.workers)"])
    }

    /// Stops as a shutdown does: workers first (they finish what they hold), the relay last.
    public func stop() {
        for part in parts.reversed() { part.stop() }
        logger.info("service stopped")
    }

    /// Runs a service as one lifecycle `ServiceGroup` until SIGTERM or SIGINT, then shuts it down gracefully.
    public static func run(_ definition: ServiceDefinition, options: ServiceOptions) async throws {
        ClinicLogging.bootstrap(level: options.logLevel)
        let logger = Logger(label: "clinic.\(definition.name)")
        // Reads the key file (when CURVE is on): blocking, so on a thread of its own.
        let name = definition.name
        let settings = try await ThreadedService.blocking { try options.settings(service: name) }
        // Migrations run before anything serves (blocking, so on a thread of their own).
        let applied = try await ThreadedService.blocking { try Self.migrate(definition, databaseURL: settings.databaseURL, logger: logger) }
        if !applied.isEmpty { logger.info("migrations applied", metadata: ["versions": "\(applied)"]) }
        let services = Self.parts(definition, settings: settings, logger: logger).map(ThreadedService.init)
        logger.info("service starting", metadata: ["service": "\(definition.name)", "bus": "\(settings.bus)",
                                                   "workers": "\(settings.workers)", "bus_security": "\(settings.security)"])
        try await ThreadedService.runGroup(services, logger: logger)
        logger.info("service stopped")
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

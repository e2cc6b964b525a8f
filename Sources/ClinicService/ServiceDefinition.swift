import ClinicBus
import ClinicStore
import Foundation
import Logging

/// What a service process needs to know about one service: its names, its migrations, its handlers, and
/// optionally the events it consumes and the background jobs it runs.
public struct ServiceDefinition: Sendable {
    /// Short name: the database role and schema, and the event publisher name, e.g. "reception".
    public var name: String
    /// The bus service its workers register for, e.g. "clinic.reception.v1".
    public var busService: String
    /// The service's numbered SQL migrations.
    public var migrations: [Migration]
    /// Builds one worker thread's routes around that thread's own database connection.
    public var makeRoutes: @Sendable (_ db: Connection, _ environment: ServiceEnvironment) throws -> WorkerRoutes
    /// Other services' events this service consumes; ServiceHost runs one EventConsumer when not empty.
    public var eventSources: [EventSource]
    /// Builds the consumer's handlers on the consumer's own thread (used only with `eventSources`).
    public var makeEventHandlers: @Sendable (_ environment: ServiceEnvironment) -> EventHandlers
    /// Periodic jobs, each run by ServiceHost on its own thread with its own connection.
    public var backgroundJobs: [BackgroundJob]
    /// How the worker threads' connections plan their statements.
    public var planCaching: PlanCaching

    /// Describes a service; events and jobs are optional.
    public init(name: String, busService: String, migrations: [Migration],
                eventSources: [EventSource] = [],
                makeEventHandlers: @escaping @Sendable (ServiceEnvironment) -> EventHandlers = { _ in EventHandlers() },
                backgroundJobs: [BackgroundJob] = [],
                planCaching: PlanCaching = .automatic,
                makeRoutes: @escaping @Sendable (Connection, ServiceEnvironment) throws -> WorkerRoutes) {
        self.name = name
        self.busService = busService
        self.migrations = migrations
        self.eventSources = eventSources
        self.makeEventHandlers = makeEventHandlers
        self.backgroundJobs = backgroundJobs
        self.planCaching = planCaching
        self.makeRoutes = makeRoutes
    }
}

/// Settings every handler may need, fixed for the life of the process.
public struct ServiceEnvironment: Sendable {
    /// The clinic's time zone (dates shown to people, "today").
    public var timeZone: TimeZone
    /// The process logger.
    public var logger: Logger
    /// Broker endpoint for RPCs, for handlers that call other services ("" when not known).
    public var busEndpoint: String

    /// An environment with a time zone, a logger and the broker endpoint.
    public init(timeZone: TimeZone, logger: Logger, busEndpoint: String = "") {
        self.timeZone = timeZone
        self.logger = logger
        self.busEndpoint = busEndpoint
    }
}

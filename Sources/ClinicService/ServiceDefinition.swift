import ClinicBus
import ClinicProto
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
    /// Other services' events this service consumes; ServiceHost runs one EventConsumer per source, so a publisher
    /// that is down delays no other's events.
    public var eventSources: [EventSource]
    /// Builds the consumer's handlers on the consumer's own thread (used only with `eventSources`).
    public var makeEventHandlers: @Sendable (_ environment: ServiceEnvironment) -> EventHandlers
    /// Periodic jobs, each run by ServiceHost on its own thread with its own connection.
    public var backgroundJobs: [BackgroundJob]
    /// How the worker threads' connections plan their statements.
    public var planCaching: PlanCaching
    /// The service's `Events/Replay` rpc when it publishes events: the runtime serves it from the outbox.
    public var replay: Method<Clinic_Bus_V1_ReplayRequest, Clinic_Bus_V1_ReplayResponse>?

    /// Where this service's token verifier learns staff's keys and revocations; nil: from clinic-staff over the
    /// bus (every service but staff itself, which reads its own tables).
    public var trustSource: (@Sendable (_ databaseURL: String, _ logger: Logger) -> any StaffTrustSource)?

    /// The service's outbox: its events under its own name.
    public var events: EventOutbox { EventOutbox(publisher: name) }

    /// One worker thread's routes over `db`: the service's handlers, and `Events/Replay` when it publishes.
    public func routes(db: Connection, environment: ServiceEnvironment) throws -> WorkerRoutes {
        let routes = try makeRoutes(db, environment)
        if let replay { EventReplay.register(replay, publisher: name, on: routes, db: db) }
        return routes
    }

    /// Describes a service; events and jobs are optional.
    public init(name: String, busService: String, migrations: [Migration],
                eventSources: [EventSource] = [],
                makeEventHandlers: @escaping @Sendable (ServiceEnvironment) -> EventHandlers = { _ in EventHandlers() },
                backgroundJobs: [BackgroundJob] = [],
                planCaching: PlanCaching = .automatic,
                replay: Method<Clinic_Bus_V1_ReplayRequest, Clinic_Bus_V1_ReplayResponse>? = nil,
                trustSource: (@Sendable (String, Logger) -> any StaffTrustSource)? = nil,
                makeRoutes: @escaping @Sendable (Connection, ServiceEnvironment) throws -> WorkerRoutes) {
        self.trustSource = trustSource
        self.name = name
        self.busService = busService
        self.migrations = migrations
        self.eventSources = eventSources
        self.makeEventHandlers = makeEventHandlers
        self.backgroundJobs = backgroundJobs
        self.planCaching = planCaching
        self.replay = replay
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

import ClinicBus
import ClinicStore
import Foundation
import Logging

/// What a service process needs to know about one service: its names, its migrations and its handlers.
public struct ServiceDefinition: Sendable {
    /// Short name: the database role and schema, and the event publisher name, e.g. "reception".
    public var name: String
    /// The bus service its workers register for, e.g. "clinic.reception.v1".
    public var busService: String
    /// The service's numbered SQL migrations.
    public var migrations: [Migration]
    /// Builds one worker thread's routes around that thread's own database connection.
    public var makeRoutes: @Sendable (_ db: Connection, _ environment: ServiceEnvironment) throws -> WorkerRoutes

    /// Describes a service.
    public init(name: String, busService: String, migrations: [Migration],
                makeRoutes: @escaping @Sendable (Connection, ServiceEnvironment) throws -> WorkerRoutes) {
        self.name = name
        self.busService = busService
        self.migrations = migrations
        self.makeRoutes = makeRoutes
    }
}

/// Settings every handler may need, fixed for the life of the process.
public struct ServiceEnvironment: Sendable {
    /// The clinic's time zone (dates shown to people, "today").
    public var timeZone: TimeZone
    /// The process logger.
    public var logger: Logger

    /// An environment with a time zone and a logger.
    public init(timeZone: TimeZone, logger: Logger) {
        self.timeZone = timeZone
        self.logger = logger
    }
}

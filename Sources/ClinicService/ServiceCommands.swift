import ArgumentParser
import Foundation
import Logging

/// A service executable's program: what `ServeCommand` and `ServiceMigrateCommand` run.
public protocol ServiceProgram {
    /// The service's definition (name, migrations, routes, jobs).
    static func definition() throws -> ServiceDefinition
    /// One line on what the service does, for `--help`.
    static var abstract: String { get }
}

/// `clinic-<name>` (or `clinic-<name> serve`): runs the service until SIGINT or SIGTERM.
public struct ServeCommand<Program: ServiceProgram>: AsyncParsableCommand {
    /// The subcommand's name and help.
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "serve", abstract: Program.abstract,
                             discussion: """
                                Connects N worker threads to the bus broker (each with its own database connection), applies \
                                the service's migrations at start and publishes its events from its outbox. Stops gracefully \
                                on SIGINT or SIGTERM.
                                """)
    }

    @OptionGroup var options: ServiceOptions

    /// Parsed from the command line.
    public init() {}

    /// Serves until signalled.
    public func run() async throws {
        try await ServiceHost.run(try Program.definition(), options: options)
    }
}

/// `clinic-<name> migrate`: applies the service's own migrations to its schema and exits.
public struct ServiceMigrateCommand<Program: ServiceProgram>: ParsableCommand {
    /// The subcommand's name and help.
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "migrate", abstract: "Apply this service's migrations to its schema, then exit.")
    }

    @Option(name: .long, help: "PostgreSQL URL of this service's own role and schema (env DATABASE_URL, or CLINIC_<SERVICE>_DATABASE_URL).")
    var databaseURL: String?

    /// Parsed from the command line.
    public init() {}

    /// Migrates and prints what was applied.
    public func run() throws {
        ClinicLogging.bootstrap(level: "warning")
        let definition = try Program.definition()
        var options = ServiceOptions()
        options.databaseURL = databaseURL
        let url = try options.resolvedDatabaseURL(service: definition.name)
        let applied = try ServiceHost.migrate(definition, databaseURL: url, logger: Logger(label: "clinic.\(definition.name).migrate"))
        print("\(definition.name): \(applied.isEmpty ? "up to date" : "applied \(applied.map(String.init).joined(separator: ", "))")")
    }
}

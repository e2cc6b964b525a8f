import ArgumentParser
import ClinicService
import Logging

/// `clinic migrate`: provisions roles and schemas and applies every service's migrations.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create each service's role and schema and apply its migrations (starts the private cluster if needed).")

    @OptionGroup var stack: StackOptions

    func run() throws {
        ClinicLogging.bootstrap(level: "info")
        let logger = Logger(label: "clinic.migrate")
        let services = try StackServices.all()
        // A private cluster started only for this command is stopped again afterwards.
        let cluster = stack.databaseURL == nil ? stack.localCluster() : nil
        let wasRunning = cluster?.isRunning ?? true
        defer { if !wasRunning { try? cluster?.stop() } }
        let urls = try stack.provisionedURLs(services: services.map(\.name), startCluster: true)
        for service in services {
            guard let url = urls[service.name] else { throw StackError("no database URL for \(service.name)") }
            let applied = try ServiceHost.migrate(service, databaseURL: url, logger: logger)
            print("\(service.name): \(applied.isEmpty ? "up to date" : "applied \(applied.map(String.init).joined(separator: ", "))")")
        }
    }
}

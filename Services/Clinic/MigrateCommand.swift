import ArgumentParser
import ClinicService
import ClinicStore
import Foundation
import Logging

/// `clinic migrate`: provisions every service's role and schema, then has each service executable apply its own
/// migrations (`clinic-<name> migrate`), so that `clinic` links no service's code.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create each service's role and schema and apply its migrations (starts the private cluster if needed).")

    @OptionGroup var stack: StackOptions

    func run() throws {
        ClinicLogging.bootstrap(level: "info")
        // A private cluster started only for this command is stopped again afterwards.
        let cluster = stack.databaseURL == nil ? stack.localCluster() : nil
        let wasRunning = cluster?.isRunning ?? true
        defer { if !wasRunning { try? cluster?.stop() } }
        let urls = try stack.provisionedURLs(services: Stack.services.map(\.name), startCluster: true)
        let directory = ProcessSupervisor.ownDirectory
        for service in Stack.services {
            guard let url = urls[service.name] else { throw StackError("no database URL for \(service.name)") }
            let executable = directory.appendingPathComponent(service.executable).path
            guard FileManager.default.isExecutableFile(atPath: executable) else {
                throw StackError("\(executable) is missing: build all products first (swift build)")
            }
            // The URL carries the role's password: it goes in the environment, not on a command line `ps` shows.
            let outcome = try CommandRunner.run(executable, ["migrate"],
                                                environment: ["CLINIC_\(service.name.uppercased())_DATABASE_URL": url])
            guard outcome.status == 0 else { throw StackError("\(service.executable) migrate failed:\n\(outcome.output)") }
            print(outcome.output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}

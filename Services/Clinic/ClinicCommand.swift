import ArgumentParser
import ClinicService
import Foundation

/// `clinic`: the operator's command for the whole local stack.
@main
struct ClinicCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clinic",
        abstract: "Run and operate the ClinicDesk stack.",
        subcommands: [UpCommand.self, MigrateCommand.self, StatusCommand.self, KeysCommand.self, StackCommand.self, FeesCommand.self])
}

/// `clinic stack`: the stack's one list of services, for scripts (deploy/dev.sh builds what it prints).
struct StackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stack",
        abstract: "Print the stack's executables in start order (broker, services, gateway), one per line.",
        discussion: "With --services, the services' names instead. deploy/ and the systemd units follow this list.")

    @Flag(help: "Print the services' short names (database role and schema) instead of the executables.")
    var services = false

    @Option(help: "Write the stack's systemd units into this folder instead (deploy/systemd is made this way).")
    var systemdUnits: String?

    func run() throws {
        if let systemdUnits {
            let folder = URL(fileURLWithPath: systemdUnits, isDirectory: true)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (name, text) in SystemdUnits.all() {
                try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
            }
            return
        }
        for line in services ? Stack.services.map(\.name) : Stack.executables { print(line) }
    }
}

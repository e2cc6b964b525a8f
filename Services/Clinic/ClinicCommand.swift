import ArgumentParser

/// `clinic`: the operator's command for the whole local stack.
@main
struct ClinicCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clinic",
        abstract: "Run and operate the ClinicDesk stack.",
        subcommands: [UpCommand.self, MigrateCommand.self, StatusCommand.self])
}

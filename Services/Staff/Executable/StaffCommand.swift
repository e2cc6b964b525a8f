import ArgumentParser
import ClinicService
import Staff

/// `clinic-staff`: the staff service (members, sign-in, tokens, lock-out, the sign-in audit) as workers on the bus;
/// `migrate` applies its schema; `bootstrap-admin` adds a new installation's first admin.
@main
struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clinic-staff", abstract: StaffProgram.abstract,
        subcommands: [StaffServe.self, ServiceMigrateCommand<StaffProgram>.self, BootstrapAdminCommand.self],
        defaultSubcommand: StaffServe.self)
}

/// What `clinic-staff migrate` migrates.
enum StaffProgram: ServiceProgram {
    static func definition() throws -> ServiceDefinition { try StaffService.definition() }
    static let abstract = "Staff service: members and roles, passwords, sign-in with signed tokens, lock-out and the sign-in audit."
}

/// `clinic-staff` (or `clinic-staff serve`): serves, with staff's own settings.
struct StaffServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: StaffProgram.abstract,
        discussion: """
            Connects N worker threads to the bus broker (each with its own database connection), applies its \
            migrations at start, publishes StaffChanged, StaffDeactivated and SessionRevoked from its outbox, keeps \
            a current Ed25519 signing key (made at first start, replaced every --key-rotation-days) and verifies \
            staff tokens from its own tables. Stops gracefully on SIGINT or SIGTERM.
            """)

    @OptionGroup var options: ServiceOptions
    @OptionGroup var staff: StaffOptions

    /// Serves until signalled.
    func run() async throws {
        try await ServiceHost.run(try StaffService.definition(configuration: try staff.configuration()), options: options)
    }
}

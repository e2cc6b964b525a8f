import ArgumentParser
import ClinicService
import Foundation
import Scheduling

/// `clinic-scheduling`: the scheduling service (appointment book, rosters, slots) as workers on the bus; `migrate`
/// applies its schema.
@main
struct SchedulingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clinic-scheduling", abstract: SchedulingProgram.abstract,
        subcommands: [SchedulingServe.self, ServiceMigrateCommand<SchedulingProgram>.self], defaultSubcommand: SchedulingServe.self)
}

/// What `clinic-scheduling migrate` migrates.
enum SchedulingProgram: ServiceProgram {
    static func definition() throws -> ServiceDefinition { try SchedulingService.definition() }
    static let abstract = "Scheduling service: doctors, chairs, rosters, leave, appointments and free slots."
}

/// `clinic-scheduling` (or `clinic-scheduling serve`): serves, with the no-show job's settings.
struct SchedulingServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: SchedulingProgram.abstract,
        discussion: """
            Connects N worker threads to the bus broker (each with its own database connection), applies its \
            migrations at start, publishes Appointment* and DoctorLeaveAdded events from its outbox, follows \
            reception's events (patients, check-ins), and marks appointments not checked in after the grace \
            period as no-shows. Several instances may run at once. Stops gracefully on SIGINT or SIGTERM.
            """)

    @OptionGroup var options: ServiceOptions

    @Option(name: .long, help: "Minutes after the start without a check-in before an appointment is a no-show (env CLINIC_NO_SHOW_GRACE_MINUTES).")
    var noShowGraceMinutes: Int = Int(ProcessInfo.processInfo.environment["CLINIC_NO_SHOW_GRACE_MINUTES"] ?? "") ?? 15

    @Option(name: .long, help: "Seconds between two sweeps of the no-show job (env CLINIC_NO_SHOW_INTERVAL_SECONDS).")
    var noShowIntervalSeconds: Int = Int(ProcessInfo.processInfo.environment["CLINIC_NO_SHOW_INTERVAL_SECONDS"] ?? "") ?? 30

    func validate() throws {
        guard (0...1440).contains(noShowGraceMinutes) else {
            throw ValidationError("--no-show-grace-minutes must be between 0 and 1440")
        }
        guard (1...3600).contains(noShowIntervalSeconds) else {
            throw ValidationError("--no-show-interval-seconds must be between 1 and 3600")
        }
    }

    func run() async throws {
        let policy = NoShowPolicy(graceMinutes: noShowGraceMinutes, intervalSeconds: noShowIntervalSeconds)
        try await ServiceHost.run(try SchedulingService.definition(noShow: policy), options: options)
    }
}

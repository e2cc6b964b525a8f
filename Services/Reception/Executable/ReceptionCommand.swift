import ArgumentParser
import ClinicService
import Reception

/// `clinic-reception`: runs the reception service (patients) as workers on the bus.
@main
struct ReceptionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clinic-reception",
        abstract: "Reception service: patient registration, look-up, search, contact changes and check-in.",
        discussion: """
            Connects N worker threads to the bus broker (each with its own database connection), applies its \
            migrations at start, and publishes PatientRegistered/PatientUpdated/PatientCheckedIn events from its outbox. \
            Stops gracefully on SIGINT or SIGTERM.
            """)

    @OptionGroup var options: ServiceOptions

    func run() throws {
        try ServiceHost.runUntilSignalled(try ReceptionService.definition(), options: options)
    }
}

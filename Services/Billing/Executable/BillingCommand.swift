import ArgumentParser
import Billing
import ClinicService
import Foundation

/// `clinic-billing`: the billing service (fee schedule, bills, payments, receipts) as workers on the bus; `migrate`
/// applies its schema.
@main
struct BillingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clinic-billing", abstract: BillingProgram.abstract,
        subcommands: [BillingServe.self, ServiceMigrateCommand<BillingProgram>.self],
        defaultSubcommand: BillingServe.self)
}

/// What `clinic-billing migrate` migrates.
enum BillingProgram: ServiceProgram {
    /// Billing's definition.
    static func definition() throws -> ServiceDefinition { try BillingService.definition() }
    static let abstract = "Billing service: the fee schedule, bills, payments and gapless receipts on an append-only ledger."
}

/// `clinic-billing` (or `clinic-billing serve`): serves.
struct BillingServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: BillingProgram.abstract,
        discussion: """
            Connects N worker threads to the bus broker (each with its own database connection), applies its \
            migrations at start, bills every visit from reception's TreatmentCompleted at the fee schedule in force on \
            the treatment's date, and publishes BillCreated, PaymentReceived, BillPaid and BillVoided from its outbox. \
            Several instances may run at once. Stops gracefully on SIGINT or SIGTERM.
            """)

    @OptionGroup var options: ServiceOptions

    @Option(name: .long, help: "The clinic's name at the head of every printed receipt (env CLINIC_NAME).")
    var clinicName: String = ProcessInfo.processInfo.environment["CLINIC_NAME"] ?? BillingService.defaultClinicName

    /// Serves until SIGINT or SIGTERM.
    func run() async throws {
        try await ServiceHost.run(try BillingService.definition(clinicName: clinicName), options: options)
    }
}

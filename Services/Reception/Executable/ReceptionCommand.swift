import ArgumentParser
import ClinicService
import Reception

/// `clinic-reception`: the reception service (patients, check-in) as workers on the bus; `migrate` applies its schema.
@main
struct ReceptionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clinic-reception", abstract: ReceptionProgram.abstract,
        subcommands: [ServeCommand<ReceptionProgram>.self, ServiceMigrateCommand<ReceptionProgram>.self],
        defaultSubcommand: ServeCommand<ReceptionProgram>.self)
}

/// What `clinic-reception` serves and migrates.
enum ReceptionProgram: ServiceProgram {
    static func definition() throws -> ServiceDefinition { try ReceptionService.definition() }
    static let abstract = "Reception service: patient registration, look-up, search, contact changes and check-in."
}

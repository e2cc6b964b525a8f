import ArgumentParser
import ClinicService
import Foundation
import Reception

/// `clinic-reception`: the reception service (patients, visits, the waiting queue, phone consultations) as workers on
/// the bus; `migrate` applies its schema.
@main
struct ReceptionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clinic-reception", abstract: ReceptionProgram.abstract,
        subcommands: [ReceptionServe.self, ServiceMigrateCommand<ReceptionProgram>.self],
        defaultSubcommand: ReceptionServe.self)
}

/// What `clinic-reception migrate` migrates.
enum ReceptionProgram: ServiceProgram {
    static func definition() throws -> ServiceDefinition { try ReceptionService.definition() }
    static let abstract = "Reception service: patients, visits and treatments, the waiting queue, doctor assignment, phone consultations."
}

/// `clinic-reception` (or `clinic-reception serve`): serves, with the waiting queue's settings.
struct ReceptionServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: ReceptionProgram.abstract,
        discussion: """
            Connects N worker threads to the bus broker (each with its own database connection), applies its \
            migrations at start, publishes patient and visit events (PatientCheckedIn, TreatmentCompleted, \
            PatientLeftUnseen, EmergencyArrived, WaitPromptDue, …) from its outbox, marks visits paid from billing's \
            BillPaid, and prompts the desk about long waits. Several instances may run at once. Stops gracefully on \
            SIGINT or SIGTERM.
            """)

    @OptionGroup var options: ServiceOptions

    @Option(name: .long, help: "A doctor's typical treatment minutes before any are recorded, for the estimated wait (env CLINIC_DEFAULT_TREATMENT_MINUTES).")
    var defaultTreatmentMinutes: Int = Self.environment("CLINIC_DEFAULT_TREATMENT_MINUTES") ?? 30

    @Option(name: .long, help: "Minutes of waiting before the desk is prompted to offer oral-health education (env CLINIC_EDUCATE_AFTER_MINUTES).")
    var educateAfterMinutes: Int = Self.environment("CLINIC_EDUCATE_AFTER_MINUTES") ?? 15

    @Option(name: .long, help: "Minutes of waiting before the desk is prompted to explain and offer a new time (env CLINIC_OFFER_NEW_TIME_AFTER_MINUTES).")
    var offerNewTimeAfterMinutes: Int = Self.environment("CLINIC_OFFER_NEW_TIME_AFTER_MINUTES") ?? 20

    @Option(name: .long, help: "Minutes after the appointment's start before a booked patient is late and queues by arrival unless they called ahead (env CLINIC_LATE_GRACE_MINUTES).")
    var lateGraceMinutes: Int = Self.environment("CLINIC_LATE_GRACE_MINUTES") ?? 0

    @Option(name: .long, help: "Seconds between two runs of the wait-prompt job (env CLINIC_WAIT_PROMPT_INTERVAL_SECONDS).")
    var waitPromptIntervalSeconds: Int = Self.environment("CLINIC_WAIT_PROMPT_INTERVAL_SECONDS") ?? 15

    func validate() throws {
        guard (1...480).contains(defaultTreatmentMinutes) else { throw ValidationError("--default-treatment-minutes must be between 1 and 480") }
        guard (1...600).contains(educateAfterMinutes) else { throw ValidationError("--educate-after-minutes must be between 1 and 600") }
        guard (educateAfterMinutes...600).contains(offerNewTimeAfterMinutes) else {
            throw ValidationError("--offer-new-time-after-minutes must be between --educate-after-minutes and 600")
        }
        guard (0...240).contains(lateGraceMinutes) else { throw ValidationError("--late-grace-minutes must be between 0 and 240") }
        guard (1...3600).contains(waitPromptIntervalSeconds) else { throw ValidationError("--wait-prompt-interval-seconds must be between 1 and 3600") }
    }

    func run() async throws {
        let policy = ReceptionPolicy(defaultTreatmentMinutes: defaultTreatmentMinutes,
                                     prompts: WaitPrompts(educateAfterMinutes: educateAfterMinutes, offerNewTimeAfterMinutes: offerNewTimeAfterMinutes),
                                     lateGraceMinutes: lateGraceMinutes, promptIntervalSeconds: waitPromptIntervalSeconds)
        try await ServiceHost.run(try ReceptionService.definition(policy: policy), options: options)
    }

    private static func environment(_ name: String) -> Int? { ProcessInfo.processInfo.environment[name].flatMap { Int($0) } }
}

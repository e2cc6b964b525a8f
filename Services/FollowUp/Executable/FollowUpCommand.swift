import ArgumentParser
import ClinicBus
import ClinicService
import ClinicValues
import FollowUp
import Foundation
import Logging
import Synchronization

/// `clinic-followup`: the follow-up service (call plans, work lists, messages, complaints) as workers on the bus;
/// `migrate` applies its schema; `log-sender` is the message sender for local runs.
@main
struct FollowUpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clinic-followup", abstract: FollowUpProgram.abstract,
        subcommands: [FollowUpServe.self, ServiceMigrateCommand<FollowUpProgram>.self, LogSenderCommand.self],
        defaultSubcommand: FollowUpServe.self)
}

/// What `clinic-followup migrate` migrates.
enum FollowUpProgram: ServiceProgram {
    /// Follow-up's definition.
    static func definition() throws -> ServiceDefinition { try FollowUpService.definition() }
    static let abstract = "Follow-up service: call plans from treatments, work lists, results, patient messages, complaints and reports."
}

/// `clinic-followup` (or `clinic-followup serve`): serves.
struct FollowUpServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: FollowUpProgram.abstract,
        discussion: """
            Connects N worker threads to the bus broker (each with its own database connection), applies its migrations \
            at start, plans calls from reception's and scheduling's events, follows clinic-staff's members, checks what \
            is open at the day's check time, rolls unreached calls over at the day's end, escalates overdue complaints, \
            and publishes its events from its outbox. Several instances may run at once. Stops on SIGINT or SIGTERM.
            """)

    @OptionGroup var options: ServiceOptions

    @Option(help: "When the day's open tasks are checked and published, HH:MM clinic time (env CLINIC_FOLLOWUP_CHECK_TIME).")
    var checkTime = ProcessInfo.processInfo.environment["CLINIC_FOLLOWUP_CHECK_TIME"] ?? "16:00"
    @Option(help: "When the day-before appointment reminder is due, HH:MM (env CLINIC_REMINDER_TIME).")
    var reminderTime = ProcessInfo.processInfo.environment["CLINIC_REMINDER_TIME"] ?? "15:00"
    @Option(help: "Days from filing to a complaint's reply deadline.")
    var complaintReplyDays = 7
    @Option(help: "Months from the end of a clinical series to the long-term recall call.")
    var recallMonths = 6
    @Option(help: "Seconds between runs of the day's jobs (check, rollover, escalation).")
    var jobIntervalSeconds = 30
    @Option(help: "The clinic's name in patient messages (env CLINIC_NAME).")
    var clinicName = ProcessInfo.processInfo.environment["CLINIC_NAME"] ?? "ClinicDesk 口腔门诊"
    @Option(help: "The clinic's address in reminders (env CLINIC_ADDRESS).")
    var clinicAddress = ProcessInfo.processInfo.environment["CLINIC_ADDRESS"] ?? ""

    func validate() throws {
        if TimeOfDay(checkTime) == nil { throw ValidationError("--check-time must be HH:MM") }
        if TimeOfDay(reminderTime) == nil { throw ValidationError("--reminder-time must be HH:MM") }
        if !(1...90).contains(complaintReplyDays) { throw ValidationError("--complaint-reply-days must be 1–90") }
        if !(1...60).contains(recallMonths) { throw ValidationError("--recall-months must be 1–60") }
        if !(1...3600).contains(jobIntervalSeconds) { throw ValidationError("--job-interval-seconds must be 1–3600") }
    }

    /// Serves until SIGINT or SIGTERM.
    func run() async throws {
        var policy = FollowUpPolicy()
        policy.cutoffTime = TimeOfDay(checkTime) ?? policy.cutoffTime
        policy.reminderTime = TimeOfDay(reminderTime) ?? policy.reminderTime
        policy.complaintReplyDays = complaintReplyDays
        policy.recallMonths = recallMonths
        policy.jobIntervalSeconds = jobIntervalSeconds
        policy.clinicName = clinicName
        policy.clinicAddress = clinicAddress
        try await ServiceHost.run(try FollowUpService.definition(policy: policy), options: options)
    }
}

/// `clinic-followup log-sender`: claims due patient messages over the bus and writes them to a file, for local runs.
struct LogSenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log-sender",
        abstract: "The message sender for local runs: claims due messages and writes them to a log file (recipients masked).",
        discussion: """
            Connects to the broker as a sender system (its bus identity must be granted 'system' by clinic-followup, \
            e.g. --peer-roles message-sender=system; clinic up does this), claims due messages every interval, appends \
            them to --file and reports each delivered. Stops on SIGINT or SIGTERM.
            """)

    @Option(help: "Broker endpoint (env CLINIC_BUS).")
    var bus = ProcessInfo.processInfo.environment["CLINIC_BUS"] ?? "tcp://127.0.0.1:5555"
    @OptionGroup var security: BusSecurityOptions
    @Option(help: "The sender's name, kept on every message it claims.")
    var sender = "local-log"
    @Option(help: "The file messages are written to.")
    var file = "messages.log"
    @Option(help: "Milliseconds between claims when nothing was due.")
    var intervalMs = 1000
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func run() throws {
        ClinicLogging.bootstrap(level: logLevel)
        let logger = Logger(label: "clinic.message-sender")
        let client = try BusClient(endpoint: bus, security: try security.resolve(), logger: logger)
        defer { client.close() }
        let sender = MessageLogSender(client: client, sender: sender, file: URL(fileURLWithPath: file), logger: logger)
        let stop = Atomic<Bool>(false)
        let sources = [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { stop.store(true, ordering: .releasing) }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        logger.info("message sender started", metadata: ["file": "\(file)", "sender": "\(self.sender)"])
        while !stop.load(ordering: .acquiring) {
            var sent = 0
            do { sent = try sender.sendOnce() } catch {
                logger.warning("claiming messages failed; trying again", metadata: ["error": "\(error)"])
            }
            if sent == 0 { Thread.sleep(forTimeInterval: Double(intervalMs) / 1000) }
        }
        logger.info("message sender stopped")
    }
}

import ArgumentParser
import ClinicBus
import ClinicService
import Foundation
import Logging

/// `clinic-bus`: runs the broker (requests on a ROUTER, events through an XSUB/XPUB proxy) until SIGINT/SIGTERM.
@main
struct ClinicBusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clinic-bus",
        abstract: "The ClinicDesk message broker: routes RPCs to service workers and forwards events.")

    @Option(help: "ROUTER endpoint for clients and workers (env CLINIC_BUS_ENDPOINT).")
    var endpoint: String = ProcessInfo.processInfo.environment["CLINIC_BUS_ENDPOINT"] ?? "tcp://127.0.0.1:5555"

    @Option(help: "XSUB endpoint event publishers connect to (env CLINIC_BUS_EVENTS_IN).")
    var eventsIn: String = ProcessInfo.processInfo.environment["CLINIC_BUS_EVENTS_IN"] ?? "tcp://127.0.0.1:5556"

    @Option(help: "XPUB endpoint event subscribers connect to (env CLINIC_BUS_EVENTS_OUT).")
    var eventsOut: String = ProcessInfo.processInfo.environment["CLINIC_BUS_EVENTS_OUT"] ?? "tcp://127.0.0.1:5557"

    @Option(help: "Heartbeat interval in milliseconds, shared with workers (env CLINIC_BUS_HEARTBEAT_MS).")
    var heartbeatMs: Int = ProcessInfo.processInfo.environment["CLINIC_BUS_HEARTBEAT_MS"].flatMap { Int($0) } ?? 1000

    @Option(help: "Largest message accepted, in bytes; larger ones are dropped (env CLINIC_BUS_MAX_MESSAGE_BYTES).")
    var maxMessageBytes: Int = ProcessInfo.processInfo.environment["CLINIC_BUS_MAX_MESSAGE_BYTES"].flatMap { Int($0) } ?? 4 << 20

    @Option(help: "Requests one worker may hold at once; 1 is strict one-at-a-time Majordomo (env CLINIC_BUS_WORKER_CREDIT).")
    var workerCredit: Int = ProcessInfo.processInfo.environment["CLINIC_BUS_WORKER_CREDIT"].flatMap { Int($0) } ?? 8

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env CLINIC_LOG_LEVEL).")
    var logLevel: String = ProcessInfo.processInfo.environment["CLINIC_LOG_LEVEL"] ?? "info"

    func validate() throws {
        guard heartbeatMs > 0 else { throw ValidationError("--heartbeat-ms must be positive") }
        guard (1...1024).contains(workerCredit) else { throw ValidationError("--worker-credit must be between 1 and 1024") }
        guard maxMessageBytes > 0 else { throw ValidationError("--max-message-bytes must be positive") }
        guard Logger.Level(rawValue: logLevel.lowercased()) != nil else {
            throw ValidationError("unknown --log-level \(logLevel)")
        }
    }

    func run() async throws {
        ClinicLogging.bootstrap(level: logLevel.lowercased())
        let logger = Logger(label: "clinic-bus")
        let broker = Broker(
            configuration: BrokerConfiguration(endpoint: endpoint, eventsIn: eventsIn, eventsOut: eventsOut,
                                               heartbeatInterval: .milliseconds(heartbeatMs),
                                               maxMessageBytes: maxMessageBytes, workerCredit: workerCredit),
            logger: logger)
        // The broker as a lifecycle service: bound before the group runs, stopped on SIGTERM or SIGINT.
        try await ThreadedService.blocking { try broker.start() }
        if let endpoints = broker.endpoints {
            print("clinic-bus listening on \(endpoints.requests) (events in \(endpoints.eventsIn), out \(endpoints.eventsOut))")
        }
        try await ThreadedService.runGroup([ThreadedService("broker", start: {}, stop: { broker.stop() })], logger: logger)
        logger.info("stopped")
    }
}

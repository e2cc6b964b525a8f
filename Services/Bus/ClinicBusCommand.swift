import ArgumentParser
import ClinicBus
import ClinicService
import Foundation
import Logging

/// `clinic-bus`: runs the broker (requests on a ROUTER, events through an XSUB/XPUB proxy) until SIGINT/SIGTERM; with
/// CURVE it admits only the peers in its authorized-keys file, which SIGHUP reloads.
@main
struct ClinicBusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clinic-bus",
        abstract: "The ClinicDesk message broker: routes RPCs to service workers and forwards events.",
        discussion: """
            With --curve-key and --authorized-keys every endpoint is a CURVE server that admits only the peers listed in \
            the authorized keys (`NAME PUBLICKEY [SERVICE ...]`, made by `clinic keys new NAME`), and every request it \
            forwards carries the sender's NAME as `peer`. SIGHUP reloads the authorized keys (a file that does not parse \
            is reported and the previous list kept). Without CURVE, --insecure-plain-bus must be given, and only \
            loopback endpoints are allowed.
            """)

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

    @Option(help: ArgumentHelp("This broker's CURVE key pair file, mode 0600 (env CLINIC_BUS_CURVE_KEY).", valueName: "file"))
    var curveKey: String?

    @Option(help: ArgumentHelp("The peers admitted, one `NAME PUBLICKEY [SERVICE ...]` per line; SIGHUP reloads it "
                               + "(env CLINIC_BUS_AUTHORIZED_KEYS).", valueName: "file"))
    var authorizedKeys: String?

    @Flag(help: ArgumentHelp("Run without CURVE: no encryption, no authentication, any peer may serve any service. "
                             + "Only with loopback endpoints; deliberately no environment variable."))
    var insecurePlainBus = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env CLINIC_LOG_LEVEL).")
    var logLevel: String = ProcessInfo.processInfo.environment["CLINIC_LOG_LEVEL"] ?? "info"

    /// The key pair file: the flag, else `CLINIC_BUS_CURVE_KEY`.
    var curveKeyFile: String? { Self.nonEmpty(curveKey ?? ProcessInfo.processInfo.environment["CLINIC_BUS_CURVE_KEY"]) }
    /// The authorized-keys file: the flag, else `CLINIC_BUS_AUTHORIZED_KEYS`.
    var authorizedKeysFile: String? {
        Self.nonEmpty(authorizedKeys ?? ProcessInfo.processInfo.environment["CLINIC_BUS_AUTHORIZED_KEYS"])
    }

    func validate() throws {
        switch (curveKeyFile, authorizedKeysFile, insecurePlainBus) {
        case (_?, _?, false), (nil, nil, true):
            break
        case (_?, _?, true):
            throw ValidationError("--insecure-plain-bus contradicts --curve-key and --authorized-keys: give one or the other")
        case (_?, nil, _):
            throw ValidationError("--curve-key needs --authorized-keys (the peers to admit) too")
        case (nil, _?, _):
            throw ValidationError("--authorized-keys needs --curve-key (this broker's key pair) too")
        case (nil, nil, false):
            throw ValidationError("""
                no bus security given: pass --curve-key and --authorized-keys (env CLINIC_BUS_CURVE_KEY, \
                CLINIC_BUS_AUTHORIZED_KEYS; `clinic keys new bus` makes a key), or --insecure-plain-bus for a \
                loopback-only bus without encryption or authentication
                """)
        }
        if insecurePlainBus {
            do {
                try BrokerConfiguration(endpoint: endpoint, eventsIn: eventsIn, eventsOut: eventsOut).checkSecurity()
            } catch {
                throw ValidationError("--insecure-plain-bus: \(error.reason)")
            }
        }
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
        let (curveKeyFile, authorizedKeysFile) = (self.curveKeyFile, self.authorizedKeysFile)
        // Reads the key file: blocking, so on a thread of its own.
        let security = try await ThreadedService.blocking { () throws -> BrokerSecurity in
            guard let curveKeyFile, let authorizedKeysFile else { return .plain }
            do throws(CurveKeyError) {
                return .curve(try CurveKeyPair.load(from: curveKeyFile), authorizedKeysFile: authorizedKeysFile)
            } catch {
                throw StartError(description: "cannot use the broker's CURVE key: \(error.description)")
            }
        }
        let broker = Broker(
            configuration: BrokerConfiguration(endpoint: endpoint, eventsIn: eventsIn, eventsOut: eventsOut,
                                               heartbeatInterval: .milliseconds(heartbeatMs),
                                               maxMessageBytes: maxMessageBytes, workerCredit: workerCredit,
                                               security: security),
            logger: logger)
        // The broker as a lifecycle service: bound before the group runs, stopped on SIGTERM or SIGINT.
        try await ThreadedService.blocking { try broker.start() }
        if let endpoints = broker.endpoints {
            print("clinic-bus listening on \(endpoints.requests) (events in \(endpoints.eventsIn), out \(endpoints.eventsOut)); \(security)")
        }
        let reloads = Self.reloadOnSIGHUP(broker, logger: logger)
        defer { reloads.cancel() }
        try await ThreadedService.runGroup([ThreadedService("broker", start: {}, stop: { broker.stop() })], logger: logger)
        logger.info("stopped")
    }

    /// SIGHUP reloads the authorized keys, on a dispatch queue of its own (reading a file blocks); a file that does
    /// not parse is logged and the previous list stays.
    static func reloadOnSIGHUP(_ broker: Broker, logger: Logger) -> any DispatchSourceSignal {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: DispatchQueue(label: "clinic-bus.sighup"))
        source.setEventHandler {
            do {
                let peers = try broker.reloadAuthorizedKeys()
                logger.notice("SIGHUP: authorized keys reloaded", metadata: ["peers": "\(peers)"])
            } catch {
                logger.error("SIGHUP: authorized keys not reloaded; the previous list stays in force",
                             metadata: ["error": "\(error)"])
            }
        }
        source.resume()
        return source
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}

/// A start-up problem told to the operator as it is (no usage text: the command line was right).
struct StartError: Error, CustomStringConvertible {
    let description: String
}

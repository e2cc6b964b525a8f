import ArgumentParser
import ClinicBus
import Foundation
import Logging

/// Command-line options every service executable shares, each with an environment fallback.
public struct ServiceOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: "Broker endpoint for RPCs (env CLINIC_BUS_ENDPOINT).")
    public var bus: String = ProcessInfo.processInfo.environment["CLINIC_BUS_ENDPOINT"] ?? "tcp://127.0.0.1:5555"

    @Option(name: .long, help: "Broker endpoint that publishers connect to (env CLINIC_BUS_EVENTS_IN).")
    public var eventsIn: String = ProcessInfo.processInfo.environment["CLINIC_BUS_EVENTS_IN"] ?? "tcp://127.0.0.1:5556"

    @Option(name: .long, help: "Broker endpoint that subscribers connect to (env CLINIC_BUS_EVENTS_OUT).")
    public var eventsOut: String = ProcessInfo.processInfo.environment["CLINIC_BUS_EVENTS_OUT"] ?? "tcp://127.0.0.1:5557"

    @Option(name: .long, help: "PostgreSQL URL of this service's own role and schema (env DATABASE_URL, or CLINIC_<SERVICE>_DATABASE_URL).")
    public var databaseURL: String?

    @Option(name: .long, help: ArgumentHelp(
        "Worker threads, each with its own bus socket and database connection (env CLINIC_WORKERS).",
        discussion: "More than the cores: a worker spends most of a request waiting for PostgreSQL (a commit waits for the disk)."))
    public var workers: Int = Int(ProcessInfo.processInfo.environment["CLINIC_WORKERS"] ?? "") ?? ServiceSettings.defaultWorkers

    @Option(name: .long, help: "Heartbeat interval with the broker in milliseconds (env CLINIC_BUS_HEARTBEAT_MS).")
    public var heartbeatMs: Int = Int(ProcessInfo.processInfo.environment["CLINIC_BUS_HEARTBEAT_MS"] ?? "") ?? 1000

    @Option(name: .long, help: "Clinic time zone for dates shown to people (env CLINIC_TIME_ZONE).")
    public var timeZone: String = ProcessInfo.processInfo.environment["CLINIC_TIME_ZONE"] ?? "Asia/Shanghai"

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp(
        "Roles granted to a bus identity, NAME=ROLE[,ROLE] (repeatable; env CLINIC_PEER_ROLES, ';'-separated).",
        discussion: "The identity is the name of the caller's CURVE key. 'system' lets it call system-only rpcs; the stack's own services have it already. Example: --peer-roles imaging=doctor,nurse"))
    public var peerRoles: [String] = (ProcessInfo.processInfo.environment["CLINIC_PEER_ROLES"] ?? "")
        .split(separator: ";").map(String.init)

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical (env CLINIC_LOG_LEVEL).")
    public var logLevel: String = ProcessInfo.processInfo.environment["CLINIC_LOG_LEVEL"] ?? "info"

    /// CURVE on the bus: this process's key pair and the broker's public key.
    @OptionGroup public var busSecurity: BusSecurityOptions

    /// Creates the options with their defaults (parsed from the command line by ArgumentParser).
    public init() {}

    /// Checks ranges and names so that a typo fails at start, naming the option.
    public mutating func validate() throws {
        guard (1...256).contains(workers) else { throw ValidationError("--workers must be between 1 and 256") }
        guard heartbeatMs >= 10 else { throw ValidationError("--heartbeat-ms must be at least 10") }
        guard TimeZone(identifier: timeZone) != nil else { throw ValidationError("--time-zone '\(timeZone)' is not a known time zone") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level '\(logLevel)' is not a log level") }
        do { _ = try PeerRoles.parse(peerRoles) } catch { throw ValidationError("--peer-roles: \(error)") }
    }

    /// The database URL for `service`: the flag, else `CLINIC_<SERVICE>_DATABASE_URL`, else `DATABASE_URL`.
    public func resolvedDatabaseURL(service: String) throws -> String {
        let env = ProcessInfo.processInfo.environment
        if let url = databaseURL ?? env["CLINIC_\(service.uppercased())_DATABASE_URL"] ?? env["DATABASE_URL"] {
            return url
        }
        throw ValidationError("no database: pass --database-url or set DATABASE_URL (clinic up does this for you)")
    }

    /// The settings a service process runs with, the database URL resolved for `service`.
    public func settings(service: String) throws -> ServiceSettings {
        ServiceSettings(bus: bus, eventsIn: eventsIn, eventsOut: eventsOut,
                        databaseURL: try resolvedDatabaseURL(service: service), workers: workers,
                        heartbeat: .milliseconds(heartbeatMs),
                        timeZone: TimeZone(identifier: timeZone) ?? ServiceSettings.defaultTimeZone,
                        peerRoles: try PeerRoles.parse(peerRoles),
                        security: try busSecurity.resolve())
    }
}

/// What a service process runs with: where the bus and its database are, how many workers, which time zone.
public struct ServiceSettings: Sendable {
    /// The clinic's default time zone.
    public static let defaultTimeZone = TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600) ?? .gmt
    /// Worker threads per service by default: 8, more than the cores, because most of a request is spent waiting
    /// for PostgreSQL (on 2 cores, registrations went from about 1,050 to 1,270 a second against 4).
    public static let defaultWorkers = 8

    /// Broker endpoint for RPCs.
    public var bus: String
    /// Broker endpoint publishers connect to.
    public var eventsIn: String
    /// Broker endpoint subscribers connect to.
    public var eventsOut: String
    /// The service's own database URL.
    public var databaseURL: String
    /// Worker threads.
    public var workers: Int
    /// Heartbeat interval with the broker.
    public var heartbeat: Duration
    /// Clinic time zone.
    public var timeZone: TimeZone
    /// How every socket to the broker connects: plain, or CURVE with this process's keys.
    public var security: BusSecurity
    /// Grants to bus identities beyond the standard ones (`PeerRoles.standard`).
    public var peerRoles: PeerRoles
    /// Whether the bus runs without CURVE (every peer anonymous).
    public var busIsPlain: Bool { if case .plain = security { true } else { false } }

    /// What callers get by their bus identity: the standard grants with the configured ones on top.
    public var effectivePeerRoles: PeerRoles { PeerRoles.standard(plainBus: busIsPlain, extra: peerRoles) }

    /// Settings with explicit values (tests, embedding).
    public init(bus: String, eventsIn: String, eventsOut: String, databaseURL: String, workers: Int = ServiceSettings.defaultWorkers,
                heartbeat: Duration = .seconds(1), timeZone: TimeZone = ServiceSettings.defaultTimeZone,
                peerRoles: PeerRoles = PeerRoles(), security: BusSecurity = .plain) {
        self.peerRoles = peerRoles
        self.bus = bus
        self.eventsIn = eventsIn
        self.eventsOut = eventsOut
        self.databaseURL = databaseURL
        self.workers = workers
        self.heartbeat = heartbeat
        self.timeZone = timeZone
        self.security = security
    }
}

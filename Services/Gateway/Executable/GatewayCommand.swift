import ArgumentParser
import ClinicBus
import ClinicService
import Foundation
import Gateway
import Hummingbird
import Logging
import NIOCore
import NIOPosix

/// Starts `clinic-gateway` with Swift concurrency's tasks running on the HTTP server's event-loop threads, so a
/// request is not handed between those threads and a separate task pool on its way in and out.
@main
enum GatewayMain {
    static func main() {
        let command: GatewayCommand
        do {
            command = try GatewayCommand.parse()
        } catch {
            GatewayCommand.exit(withError: error)
        }
        // Both before the first task exists: how many event loops there are, and that tasks run on them.
        NIOSingletons.groupLoopCountSuggestion = command.eventLoops
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        Task {
            do {
                try await command.run()
                exit(0)
            } catch {
                GatewayCommand.exit(withError: error)
            }
        }
        dispatchMain()
    }
}

/// `clinic-gateway`: HTTP/JSON in front of the ClinicDesk bus.
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clinic-gateway",
        abstract: "HTTP/JSON gateway: translates /v1/… requests into bus RPCs.",
        discussion: """
            Serves the route table under /v1 (see /openapi.json), /healthz, /readyz (the bus answers and every \
            service has a live worker) and /metrics (Prometheus). Stops gracefully on SIGINT or SIGTERM.
            """)

    @Option(name: .long, help: "Broker endpoint (env CLINIC_BUS_ENDPOINT).")
    var bus: String = ProcessInfo.processInfo.environment["CLINIC_BUS_ENDPOINT"] ?? "tcp://127.0.0.1:5555"

    @Option(name: .long, help: "Address to listen on (env CLINIC_GATEWAY_HOST).")
    var host: String = ProcessInfo.processInfo.environment["CLINIC_GATEWAY_HOST"] ?? "127.0.0.1"

    @Option(name: .long, help: "Port to listen on (env CLINIC_GATEWAY_PORT).")
    var port: Int = Int(ProcessInfo.processInfo.environment["CLINIC_GATEWAY_PORT"] ?? "") ?? 8080

    @Option(name: .long, help: """
        HTTP event-loop threads, which also run the request handlers (env CLINIC_GATEWAY_EVENT_LOOPS; default: half \
        the cores, at least 1, as the gateway shares the machine with the bus, the services and PostgreSQL).
        """)
    var eventLoops: Int = Int(ProcessInfo.processInfo.environment["CLINIC_GATEWAY_EVENT_LOOPS"] ?? "")
        ?? max(1, ProcessInfo.processInfo.activeProcessorCount / 2)

    @Option(name: .long, help: "Sign-in attempts allowed per account per window (env CLINIC_SIGN_IN_PER_ACCOUNT).")
    var signInPerAccount: Int = Int(ProcessInfo.processInfo.environment["CLINIC_SIGN_IN_PER_ACCOUNT"] ?? "") ?? 10

    @Option(name: .long, help: "Sign-in attempts allowed per client address per window (env CLINIC_SIGN_IN_PER_ADDRESS).")
    var signInPerAddress: Int = Int(ProcessInfo.processInfo.environment["CLINIC_SIGN_IN_PER_ADDRESS"] ?? "") ?? 60

    @Option(name: .long, help: "The sign-in rate window in seconds (env CLINIC_SIGN_IN_WINDOW_SECONDS).")
    var signInWindowSeconds: Int = Int(ProcessInfo.processInfo.environment["CLINIC_SIGN_IN_WINDOW_SECONDS"] ?? "") ?? 60

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical (env CLINIC_LOG_LEVEL).")
    var logLevel: String = ProcessInfo.processInfo.environment["CLINIC_LOG_LEVEL"] ?? "info"

    /// CURVE on the bus: the gateway's key pair and the broker's public key.
    @OptionGroup var busSecurity: BusSecurityOptions

    func validate() throws {
        guard (1...256).contains(eventLoops) else { throw ValidationError("--event-loops must be between 1 and 256") }
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level '\(logLevel)' is not a log level") }
        guard signInPerAccount >= 1, signInPerAddress >= 1 else { throw ValidationError("--sign-in-per-account and --sign-in-per-address must be at least 1") }
        guard (1...86_400).contains(signInWindowSeconds) else { throw ValidationError("--sign-in-window-seconds must be between 1 and 86400") }
    }

    func run() async throws {
        ClinicLogging.bootstrap(level: logLevel)
        let logger = Logger(label: "clinic.gateway")
        let busSecurity = self.busSecurity
        // Reads the key file (when CURVE is on): blocking, so on a thread of its own.
        let security = try await ThreadedService.blocking { try busSecurity.resolve() }
        let client = try BusClient(endpoint: bus, security: security, logger: logger)
        defer { client.close() }
        let services = Array(Set(GatewayRoutes.all.map(\.busService))).sorted()
        let verifier = StaffTokenVerifier(source: BusStaffTrustSource(transport: client), logger: logger)
        let limits = SignInLimiter.Limits(perAccount: signInPerAccount, perAddress: signInPerAddress,
                                          window: .seconds(signInWindowSeconds))
        let access = GatewayAccess(verifier: verifier, signIns: SignInLimiter(limits: limits))
        let following = Task { await verifier.follow() }
        defer { following.cancel() }
        let router = GatewayRouter.build(transport: client, access: access, metrics: GatewayMetrics()) {
            var missing: [String] = []
            for service in services where await !client.serviceAvailable(service, timeout: .milliseconds(500)) {
                missing.append(service)
            }
            return missing
        }
        let app = Application(router: router,
                              configuration: .init(address: .hostname(host, port: port), serverName: "clinic-gateway"),
                              onServerRunning: { _ in logger.info("listening on http://\(host):\(port) (bus \(bus))") },
                              logger: logger)
        try await app.runService()
    }
}

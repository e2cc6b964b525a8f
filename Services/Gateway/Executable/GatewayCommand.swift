import ArgumentParser
import ClinicBus
import ClinicService
import Foundation
import Gateway
import Hummingbird
import Logging

/// `clinic-gateway`: HTTP/JSON in front of the ClinicDesk bus.
@main
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

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical (env CLINIC_LOG_LEVEL).")
    var logLevel: String = ProcessInfo.processInfo.environment["CLINIC_LOG_LEVEL"] ?? "info"

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level '\(logLevel)' is not a log level") }
    }

    func run() async throws {
        ClinicLogging.bootstrap(level: logLevel)
        let logger = Logger(label: "clinic.gateway")
        let client = try BusClient(endpoint: bus, logger: logger)
        defer { client.close() }
        let services = Array(Set(GatewayRoutes.all.map(\.busService))).sorted()
        let router = GatewayRouter.build(transport: client, metrics: GatewayMetrics()) {
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

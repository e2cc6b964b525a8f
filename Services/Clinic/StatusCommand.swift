import ArgumentParser
import ClinicBus
import ClinicService
import ClinicStore
import Foundation
import Logging

/// `clinic status`: is each part of the stack answering?
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show whether PostgreSQL, the bus, each service and the gateway answer.")

    @OptionGroup var stack: StackOptions

    @Option(name: .long, help: "Broker endpoint (env CLINIC_BUS_ENDPOINT).")
    var bus: String = ProcessInfo.processInfo.environment["CLINIC_BUS_ENDPOINT"] ?? "tcp://127.0.0.1:5555"

    /// The CLI's own key: the flags, else the stack's `clinic` key in the state folder when there is one.
    @OptionGroup var busSecurity: BusSecurityOptions

    @Flag(name: .long, help: "Talk to a bus that runs without CURVE (clinic up --insecure-plain-bus).")
    var insecurePlainBus = false

    @Option(name: .long, help: "Gateway base URL (env CLINIC_GATEWAY_URL).")
    var gateway: String = ProcessInfo.processInfo.environment["CLINIC_GATEWAY_URL"] ?? "http://127.0.0.1:8080"

    func run() throws {
        let logger = Logger(label: "clinic.status")
        var healthy = true
        func report(_ part: String, _ ok: Bool, _ detail: String) {
            healthy = healthy && ok
            print("\(ok ? "up  " : "DOWN")  \(part.padding(toLength: 22, withPad: " ", startingAt: 0)) \(detail)")
        }
        do {
            let adminURL = try stack.databaseURL ?? stack.localCluster().adminURL
            let db = try Connection(url: adminURL, logger: logger)
            db.close()
            report("postgresql", true, stack.databaseURL == nil ? "private cluster, port \(stack.pgPort)" : "--database-url")
        } catch {
            report("postgresql", false, "\(error)")
        }
        do {
            let client = try BusClient(endpoint: bus, security: try security(), logger: logger)
            defer { client.close() }
            for service in Stack.services {
                let down = service.busServices.filter { !client.serviceAvailableBlocking($0, timeout: .seconds(2)) }
                report(service.executable, down.isEmpty,
                       down.isEmpty ? "workers registered for \(service.busServices.joined(separator: ", "))" : "no live worker for \(down.joined(separator: ", ")) on \(bus)")
            }
        } catch {
            report("clinic-bus", false, "\(error)")
        }
        let ready = HTTPProbe.status(of: "\(gateway)/readyz")
        report("clinic-gateway", ready == 200, ready.map { "\(gateway) /readyz → \($0)" } ?? "\(gateway) does not answer")
        if !healthy { throw ExitCode(1) }
    }

    /// Plain when asked for; the flags' key when given; else the stack's `clinic` key if its folder has one.
    private func security() throws -> BusSecurity {
        if insecurePlainBus { return .plain }
        if busSecurity.curveKey != nil { return try busSecurity.resolve() }
        let folder = stack.keys
        guard FileManager.default.fileExists(atPath: folder.keyFile(StackKeys.operatorCLI)),
              let server = try? CurveKeyPair.load(from: folder.keyFile(StackKeys.broker)) else { return .plain }
        return try BusSecurity.curve(loadingKeyFile: folder.keyFile(StackKeys.operatorCLI), serverKey: server.publicKey)
    }
}

import ArgumentParser
import ClinicService
import Foundation
import Logging

/// `clinic up`: PostgreSQL, bus, services and gateway on this machine, until Ctrl-C.
struct UpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start the whole stack locally (private PostgreSQL under .clinic/, bus, services, gateway).",
        discussion: """
            Stops everything cleanly on Ctrl-C (SIGINT) or SIGTERM. With --database-url it uses that server instead of a \
            private cluster. The bus runs CURVE: on the first run every process gets a key pair in <state-dir>/keys \
            (see `clinic keys`), and the broker admits only those.
            """)

    @OptionGroup var stack: StackOptions

    @Option(name: .long, help: "Gateway HTTP port (env CLINIC_GATEWAY_PORT).")
    var httpPort: Int = Int(ProcessInfo.processInfo.environment["CLINIC_GATEWAY_PORT"] ?? "") ?? 8080

    @Option(name: .long, help: "Broker RPC port; events use the next two ports (env CLINIC_BUS_PORT).")
    var busPort: Int = Int(ProcessInfo.processInfo.environment["CLINIC_BUS_PORT"] ?? "") ?? 5555

    @Option(name: .long, help: "Worker threads per service (env CLINIC_WORKERS).")
    var workers: Int = Int(ProcessInfo.processInfo.environment["CLINIC_WORKERS"] ?? "") ?? ServiceSettings.defaultWorkers

    @Option(name: .long, help: "trace, debug, info, notice, warning or error (env CLINIC_LOG_LEVEL).")
    var logLevel: String = ProcessInfo.processInfo.environment["CLINIC_LOG_LEVEL"] ?? "info"

    @Flag(name: .long, help: "Run the bus without CURVE (no encryption, no authentication; it listens on loopback only).")
    var insecurePlainBus = false

    @Flag(name: .long, help: "Load a demo clinic once the stack is up (patients, doctors, chairs, rosters, appointments), so the API can be tried at once.")
    var demo = false

    func run() throws {
        ClinicLogging.bootstrap(level: logLevel)
        let logger = Logger(label: "clinic.up")
        // Every child gets its own key pair through the environment; the broker its pair and the authorized keys.
        let keys: StackKeys?
        do {
            keys = insecurePlainBus ? nil : try StackKeys.prepare(in: stack.keys, extraPeers: [StackKeys.messageSender])
        } catch {
            throw StackError("cannot prepare the bus keys: \(error)")
        }
        let services = Stack.services
        let urls = try stack.provisionedURLs(services: services.map(\.name), startCluster: true)
        let cluster = stack.databaseURL == nil ? stack.localCluster() : nil

        let bus = "tcp://127.0.0.1:\(busPort)"
        let eventsIn = "tcp://127.0.0.1:\(busPort + 1)"
        let eventsOut = "tcp://127.0.0.1:\(busPort + 2)"
        let common = ["--bus", bus, "--log-level", logLevel]
        let children = ChildProcesses(logger: logger)
        do {
            try children.launch(Stack.broker, ["--endpoint", bus, "--events-in", eventsIn, "--events-out", eventsOut,
                                               "--log-level", logLevel] + (keys == nil ? ["--insecure-plain-bus"] : []),
                                environment: keys?.brokerEnvironment ?? [:])
            for service in services {
                guard let url = urls[service.name] else { throw StackError("no database URL for \(service.name)") }
                // The URL carries the role's password: it goes in the environment, not on a command line `ps` shows.
                // Follow-up admits the local message sender as a system (it claims messages).
                let roles = service.name == "followup" ? ["CLINIC_PEER_ROLES": "\(StackKeys.messageSender)=system"] : [:]
                try children.launch(service.executable, common + ["--events-in", eventsIn, "--events-out", eventsOut,
                                                                         "--workers", "\(workers)"],
                                    environment: ["CLINIC_\(service.name.uppercased())_DATABASE_URL": url]
                                        .merging(keys?.peerEnvironment(service.name) ?? [:]) { $1 }.merging(roles) { $1 })
            }
            // The sender for local runs: patient messages go to a log file in the state directory.
            let messageLog = URL(fileURLWithPath: stack.stateDir + "/messages.log").standardizedFileURL.path
            try children.launch("clinic-followup", ["log-sender", "--bus", bus, "--file", messageLog, "--log-level", logLevel],
                                environment: keys?.peerEnvironment(StackKeys.messageSender) ?? [:])
            try children.launch(Stack.gateway, common + ["--port", "\(httpPort)"],
                                environment: keys?.peerEnvironment(StackKeys.gateway) ?? [:])
            let api = "http://127.0.0.1:\(httpPort)"
            guard let staffURL = urls["staff"] else { throw StackError("no database URL for staff") }
            let admin = try StaffBootstrap.ensureAdmin(stateDirectory: stack.stateDir, databaseURL: staffURL)
            if try waitUntilReady(api: api, children: children) {
                if demo { try DemoData.load(api: api, admin: admin, logger: logger) }
                print("""
                    ClinicDesk is up.
                      API:      \(api)/v1/patients, /v1/doctors, /v1/slots, /v1/appointments   (OpenAPI: \(api)/openapi.json, metrics: \(api)/metrics)
                    \(StaffBootstrap.signInHelp(api: api, admin: admin, stateDirectory: stack.stateDir, demo: demo))
                      Bus:      \(bus)   events: \(eventsOut)   \(keys.map { "CURVE, keys in \($0.folder.path) (clinic keys list)" } ?? "PLAIN: no encryption, no authentication")
                      Messages: \(messageLog) (the local sender's log of patient messages)
                      Database: \(cluster.map { "private cluster in \($0.dataDirectory.path) (port \(stack.pgPort))" } ?? "the server at --database-url")
                    Press Ctrl-C to stop.
                    """)
                fflush(nil)  // the banner must show even when stdout is a file
                children.waitForSignalOrExit()
            }
        } catch {
            logger.error("start failed: \(error)")
            children.stopAll()
            try? cluster?.stop()
            throw ExitCode.failure
        }
        children.stopAll()
        if let cluster {
            try cluster.stop()
            logger.info("PostgreSQL stopped")
        }
    }

    /// Polls the gateway's /readyz until the whole path answers, or a child dies, or 60 s pass.
    private func waitUntilReady(api: String, children: ChildProcesses) throws -> Bool {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let dead = children.firstExited { throw StackError("\(dead) exited during start-up; see its log above") }
            if HTTPProbe.status(of: "\(api)/readyz") == 200 { return true }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw StackError("the gateway did not become ready within 60 s")
    }
}

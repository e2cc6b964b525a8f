import ClinicService
import Foundation
import Logging

/// The stack's child processes: launched from the folder of this executable, stopped in reverse order.
struct ChildProcesses {
    private var processes: [(name: String, process: Process)] = []
    private let logger: Logger

    init(logger: Logger) { self.logger = logger }

    /// Starts the sibling executable `name` with `arguments` and `environment` added to this one's; its output goes to
    /// this terminal.
    mutating func launch(_ name: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        let directory = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).deletingLastPathComponent()
        let executable = directory.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw StackError("\(executable.path) is missing: build all products first (swift build)")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, given in given }
        }
        try process.run()
        processes.append((name, process))
        logger.info("started \(name)", metadata: ["pid": "\(process.processIdentifier)"])
    }

    /// The name of a child that has already exited, if any.
    var firstExited: String? { processes.first { !$0.process.isRunning }?.name }

    /// Blocks until SIGINT/SIGTERM arrives or any child exits.
    func waitForSignalOrExit() {
        let children = processes.map { ChildHandle(name: $0.name, process: $0.process) }
        let logger = logger
        SignalWaiter.waitForTermination {
            guard let dead = children.first(where: { !$0.process.isRunning }) else { return false }
            logger.error("\(dead.name) exited (status \(dead.process.terminationStatus)); stopping the stack")
            return true
        }
    }

    /// SIGTERM to each child in reverse start order, waiting up to 10 s each before SIGKILL.
    func stopAll() {
        for (name, process) in processes.reversed() where process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                logger.warning("\(name) did not stop in time; killed")
            } else {
                logger.info("stopped \(name)")
            }
        }
    }
}

/// A start-up problem described for the operator.
struct StackError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A child process as the signal watcher sees it.
private struct ChildHandle: @unchecked Sendable {
    // Safe: the watcher only reads `isRunning`/`terminationStatus`, which Foundation's Process guards itself.
    let name: String
    let process: Process
}

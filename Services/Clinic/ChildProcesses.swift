import ClinicService
import Foundation
import Logging

/// The stack's child processes as `clinic up` runs them: the supervisor's children, their output on this terminal.
struct ChildProcesses {
    private let children: ProcessSupervisor
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
        children = ProcessSupervisor(logger: logger)
    }

    /// Starts the sibling executable `name` with `arguments` and `environment` added to this one's.
    func launch(_ name: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        do {
            try children.launch(name, arguments, environment: environment)
        } catch let error as ProcessSupervisor.LaunchError {
            throw StackError(error.description)
        }
    }

    /// The name of a child that has already exited, if any.
    var firstExited: String? { children.firstExited?.name }

    /// Blocks until SIGINT/SIGTERM arrives or any child exits.
    func waitForSignalOrExit() {
        let children = children
        let logger = logger
        SignalWaiter.waitForTermination {
            guard let dead = children.firstExited else { return false }
            logger.error("\(dead.name) exited (status \(dead.status)); stopping the stack")
            return true
        }
    }

    /// SIGTERM to each child in reverse start order, waiting up to 10 s each before SIGKILL.
    func stopAll() { children.stopAll() }
}

/// A start-up problem described for the operator.
struct StackError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

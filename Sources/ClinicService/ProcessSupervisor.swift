import Foundation
import Logging

/// The stack's executables run as child processes: launched from one folder, their output inherited or written to
/// a log file each, and stopped in reverse start order (SIGTERM, then SIGKILL after a grace period). `clinic up`,
/// the end-to-end tests and the benchmarks all start their children through it.
public final class ProcessSupervisor: @unchecked Sendable {
    // Safe: launched, inspected and stopped by the one caller that owns it, from one thread or task at a time;
    // `Process` guards its own state.
    private var children: [(name: String, process: Process)] = []
    private let directory: URL
    private let logDirectory: URL?
    private let logger: Logger?

    /// The folder of the running executable: where a build puts all of the stack's executables side by side.
    public static var ownDirectory: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// Children from `directory` (default: this executable's own folder); with `logDirectory` each one's output
    /// goes to `<name>.log` there, else to this process's terminal.
    public init(directory: URL = ProcessSupervisor.ownDirectory, logDirectory: URL? = nil, logger: Logger? = nil) {
        self.directory = directory
        self.logDirectory = logDirectory
        self.logger = logger
        if let logDirectory { try? FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true) }
    }

    /// A launch problem, naming what to do about it.
    public struct LaunchError: Error, CustomStringConvertible {
        /// What went wrong.
        public let description: String
    }

    /// Starts `executable` with `arguments`, and `environment` added to this process's; `instance` tells two
    /// children of one executable apart (they are named `<executable>#<instance>`).
    public func launch(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                       instance: String? = nil) throws {
        let url = directory.appendingPathComponent(executable)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw LaunchError(description: "\(url.path) is not built: build all products first (deploy/dev.sh does)")
        }
        let name = instance.map { "\(executable)#\($0)" } ?? executable
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, given in given }
        }
        if let logDirectory {
            let log = logDirectory.appendingPathComponent("\(name).log")
            guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
                throw LaunchError(description: "cannot create \(log.path)")
            }
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
        }
        try process.run()
        children.append((name, process))
        logger?.info("started \(name)", metadata: ["pid": "\(process.processIdentifier)"])
    }

    /// The child of that name launched last, if any.
    public func process(_ name: String) -> Process? { children.last { $0.name == name }?.process }

    /// A child that has already exited, with its status.
    public var firstExited: (name: String, status: Int32)? {
        children.first { !$0.process.isRunning }.map { ($0.name, $0.process.terminationStatus) }
    }

    /// Every child's log (with `logDirectory`), for a failing test to print.
    public func logs() -> String {
        guard let logDirectory else { return "" }
        let files = (try? FileManager.default.contentsOfDirectory(at: logDirectory, includingPropertiesForKeys: nil)) ?? []
        return files.sorted { $0.path < $1.path }.map { file in
            "── \(file.lastPathComponent)\n" + ((try? String(contentsOf: file, encoding: .utf8)) ?? "")
        }.joined(separator: "\n")
    }

    /// SIGTERM to each child in reverse start order, waiting up to `grace` each before SIGKILL; the exit status of
    /// each (nil where it had to be killed).
    @discardableResult
    public func stopAll(grace: TimeInterval = 10) -> [String: Int32?] {
        var statuses: [String: Int32?] = [:]
        for (name, process) in children.reversed() {
            if process.isRunning { process.terminate() }
            let deadline = Date().addingTimeInterval(grace)
            while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                statuses[name] = .some(nil)
                logger?.warning("\(name) did not stop in time; killed")
            } else {
                statuses[name] = process.terminationStatus
                logger?.info("stopped \(name)")
            }
        }
        children.removeAll()
        return statuses
    }
}

import Foundation
import Logging

/// A private PostgreSQL cluster in a directory, run with Debian's server binaries (for `clinic up` and tests).
///
/// Layout, for a data directory `…/pgdata`: the data in `pgdata/`, the superuser password in
/// `pgdata.password` (mode 0600), unix sockets in `pgdata.sockets/`, the server log in `pgdata/server.log`.
/// The server listens on 127.0.0.1 only. As root, the server runs as the `postgres` system user.
public struct LocalCluster: Sendable {
    /// The data directory.
    public let dataDirectory: URL
    /// The TCP port on 127.0.0.1.
    public let port: Int
    /// Whether to keep fsync on; throwaway test clusters turn it off for speed.
    public let durable: Bool
    private let logger: Logger

    /// The superuser role name.
    public static let superuser = "postgres"

    /// Describes a cluster; nothing is created until `start()`.
    public init(dataDirectory: URL, port: Int, durable: Bool = true, logger: Logger) {
        self.dataDirectory = dataDirectory.standardizedFileURL
        self.port = port
        self.durable = durable
        self.logger = logger
    }

    /// The file holding the superuser password.
    public var passwordFile: URL {
        dataDirectory.deletingLastPathComponent().appendingPathComponent(dataDirectory.lastPathComponent + ".password")
    }

    /// The directory holding the server's unix socket.
    public var socketDirectory: URL {
        dataDirectory.deletingLastPathComponent().appendingPathComponent(dataDirectory.lastPathComponent + ".sockets")
    }

    /// A superuser connection string over the cluster's unix socket (requires the cluster to be initialised).
    /// The socket skips the kernel's TCP path, a visible share of CPU per query on a small machine; services on
    /// this host derive their own connection strings from it.
    public var adminURL: String {
        get throws {
            "host='\(socketDirectory.path)' port=\(port) dbname=postgres user=\(Self.superuser) password='\(try superuserPassword())'"
        }
    }

    /// Whether the data directory holds an initialised cluster.
    public var isInitialised: Bool {
        FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path)
    }

    /// Whether the server is running.
    public var isRunning: Bool {
        guard isInitialised, let binaries = try? Self.binaryDirectory() else { return false }
        let outcome = try? runTool(binaries + "/pg_ctl", ["status", "-D", dataDirectory.path])
        return outcome?.status == 0
    }

    /// Initialises the cluster if needed, then starts the server and waits until it accepts connections.
    public func start() throws {
        let binaries = try Self.binaryDirectory()
        let manager = FileManager.default
        let parent = dataDirectory.deletingLastPathComponent()
        try manager.createDirectory(at: parent, withIntermediateDirectories: true)
        try manager.createDirectory(at: socketDirectory, withIntermediateDirectories: true,
                                    attributes: [.posixPermissions: 0o700])
        if CommandRunner.isRoot { try CommandRunner.chown(socketDirectory.path, to: Self.superuser) }
        if !isInitialised { try initialise(binaries: binaries) }
        if isRunning { return }
        guard !socketDirectory.path.contains("'") else {
            throw StoreError(kind: .connection, message: "the cluster path must not contain a quote")
        }
        // Room for every service's workers, relay and consumer, twice over during a rolling restart, and for test
        // suites that run many services side by side (PostgreSQL's default of 100 ran out there).
        var options = "-p \(port) -k '\(socketDirectory.path)' -c listen_addresses=127.0.0.1 -c max_connections=400"
        if !durable { options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off" }
        let outcome = try runTool(binaries + "/pg_ctl", [
            "start", "-w", "-t", "60", "-D", dataDirectory.path,
            "-l", dataDirectory.appendingPathComponent("server.log").path, "-o", options,
        ])
        guard outcome.status == 0 else {
            throw StoreError(kind: .connection, message: "pg_ctl start failed: \(outcome.output)")
        }
        logger.info("postgresql started", metadata: ["port": "\(port)", "data": "\(dataDirectory.path)"])
    }

    /// How to stop the server.
    public enum StopMode: String, Sendable {
        /// Roll back open transactions and disconnect clients, then shut down cleanly.
        case fast
        /// Abort at once (crash recovery at next start); for throwaway clusters.
        case immediate
    }

    /// Stops the server if it is running.
    public func stop(mode: StopMode = .fast) throws {
        guard isInitialised else { return }
        let binaries = try Self.binaryDirectory()
        let outcome = try runTool(binaries + "/pg_ctl", ["stop", "-w", "-m", mode.rawValue, "-D", dataDirectory.path])
        // Status 1 with "not running" is fine: it is already stopped.
        guard outcome.status == 0 || !isRunning else {
            throw StoreError(kind: .connection, message: "pg_ctl stop failed: \(outcome.output)")
        }
        logger.info("postgresql stopped", metadata: ["data": "\(dataDirectory.path)"])
    }

    /// Stops (fast) and starts the server again.
    public func restart() throws {
        try stop(mode: .fast)
        try start()
    }

    /// The superuser password, from the password file.
    public func superuserPassword() throws -> String {
        guard let data = FileManager.default.contents(atPath: passwordFile.path) else {
            throw StoreError(kind: .connection, message: "no superuser password file at \(passwordFile.path)")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The newest `/usr/lib/postgresql/<version>/bin`.
    public static func binaryDirectory() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        let newest = versions.compactMap { Int($0) }.sorted().last { version in
            FileManager.default.isExecutableFile(atPath: "\(root)/\(version)/bin/pg_ctl")
        }
        guard let newest else {
            throw StoreError(kind: .connection, message: "no PostgreSQL server binaries under \(root)")
        }
        return "\(root)/\(newest)/bin"
    }

    private func initialise(binaries: String) throws {
        let manager = FileManager.default
        if !manager.fileExists(atPath: passwordFile.path) {
            try CommandRunner.writePrivateFile(passwordFile, contents: CommandRunner.randomSecret() + "\n")
        }
        try manager.createDirectory(at: dataDirectory, withIntermediateDirectories: true,
                                    attributes: [.posixPermissions: 0o700])
        // initdb runs as the server's user, who may not read our private password file: hand it a copy.
        let initPasswordFile = socketDirectory.appendingPathComponent("initdb.password")
        try CommandRunner.writePrivateFile(initPasswordFile, contents: try superuserPassword() + "\n")
        defer { try? manager.removeItem(at: initPasswordFile) }
        if CommandRunner.isRoot {
            try CommandRunner.chown(dataDirectory.path, to: Self.superuser)
            try CommandRunner.chown(initPasswordFile.path, to: Self.superuser)
        }
        var arguments = [
            "-D", dataDirectory.path, "--username=\(Self.superuser)", "--pwfile=\(initPasswordFile.path)",
            "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8",
        ]
        if !durable { arguments.append("--no-sync") }
        let outcome = try runTool(binaries + "/initdb", arguments)
        guard outcome.status == 0 else {
            throw StoreError(kind: .connection, message: "initdb failed: \(outcome.output)")
        }
        logger.info("postgresql cluster initialised", metadata: ["data": "\(dataDirectory.path)"])
    }

    /// Runs a server tool, as `postgres` when we are root (PostgreSQL refuses to run as root).
    private func runTool(_ executable: String, _ arguments: [String]) throws -> CommandRunner.Outcome {
        try CommandRunner.run(executable, arguments, asUser: CommandRunner.isRoot ? Self.superuser : nil)
    }
}

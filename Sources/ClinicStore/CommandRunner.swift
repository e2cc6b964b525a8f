import Foundation

/// Runs an external program to completion, optionally as another user, capturing its output in a file
/// (not a pipe: a server started by the program may keep inherited pipes open).
public enum CommandRunner {
    /// How a program ended: its exit status (128 + signal when killed) and everything it wrote to stdout and stderr.
    public struct Outcome: Sendable {
        public var status: Int32
        public var output: String
    }

    /// Whether this process runs as root (PostgreSQL then has to run as `postgres`).
    static var isRoot: Bool { getuid() == 0 }

    /// Runs the program and waits for it. Uses posix_spawn and waitpid directly: Foundation's `Process`
    /// was seen to miss a child's exit when several threads spawn at once.
    /// `environment` is added to this process's own.
    public static func run(_ executable: String, _ arguments: [String], asUser user: String? = nil,
                           environment: [String: String] = [:]) throws -> Outcome {
        let argv = user.map { ["/usr/sbin/runuser", "-u", $0, "--", executable] + arguments } ?? [executable] + arguments
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("clinic-command-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var variables = ProcessInfo.processInfo.environment
        variables.merge(environment) { _, given in given }
        let cEnvironment: [UnsafeMutablePointer<CChar>?] = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in cEnvironment { free(pointer) } }
        var pid: pid_t = 0
        let spawned = cArguments.withUnsafeBufferPointer { buffer -> Int32 in
            cEnvironment.withUnsafeBufferPointer { environment -> Int32 in
                guard let base = buffer.baseAddress, let variables = environment.baseAddress else { return EINVAL }
                return posix_spawn(&pid, argv[0], &actions, nil, base, variables)
            }
        }
        guard spawned == 0 else {
            throw StoreError(kind: .connection, message: "cannot run \(executable): error \(spawned)")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else {
                throw StoreError(kind: .connection, message: "cannot wait for \(executable)")
            }
        }
        // WIFEXITED / WEXITSTATUS are macros Swift cannot import.
        let exitStatus: Int32 = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return Outcome(status: exitStatus, output: output)
    }

    /// Changes a path's owner to the named user and that user's group.
    static func chown(_ path: String, to user: String) throws {
        guard let entry = getpwnam(user) else {
            throw StoreError(kind: .connection, message: "no such system user \(user)")
        }
        guard Foundation.chown(path, entry.pointee.pw_uid, entry.pointee.pw_gid) == 0 else {
            throw StoreError(kind: .connection, message: "cannot change the owner of \(path) to \(user)")
        }
    }

    /// A random alphanumeric secret.
    static func randomSecret(length: Int = 32) -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// Writes a file readable only by its owner.
    static func writePrivateFile(_ url: URL, contents: String) throws {
        let path = url.path
        guard FileManager.default.createFile(atPath: path, contents: Data(contents.utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw StoreError(kind: .connection, message: "cannot write \(path)")
        }
        // createFile keeps the mode of an existing file; make sure it is private.
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }
}

import Foundation

/// Runs an external program to completion, optionally as another user, capturing its output in a file
/// (not a pipe: a server started by the program may keep inherited pipes open).
enum CommandRunner {
    struct Outcome {
        var status: Int32
        var output: String
    }

    /// Whether this process runs as root (PostgreSQL then has to run as `postgres`).
    static var isRoot: Bool { getuid() == 0 }

    static func run(_ executable: String, _ arguments: [String], asUser user: String? = nil) throws -> Outcome {
        let (program, argv) = user.map { ("/usr/sbin/runuser", ["-u", $0, "--", executable] + arguments) } ?? (executable, arguments)
        let outputURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("clinic-command-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: outputURL) }
        // posix_spawn + waitpid rather than Foundation's Process: on Linux, Process learns of the exit through a
        // descriptor the child inherits, so `pg_ctl start` (whose server keeps it) would never be seen to finish.
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let cArguments = ([program] + argv).map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, program, &actions, nil, cArguments, environ)
        guard spawned == 0 else {
            throw StoreError(kind: .connection, message: "cannot run \(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        // WIFEXITED / WEXITSTATUS are macros Swift cannot see.
        let exitCode: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Outcome(status: exitCode, output: text)
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

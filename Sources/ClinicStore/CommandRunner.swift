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
        let process = Process()
        if let user {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", user, "--", executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        let outputURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("clinic-command-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil) else {
            throw StoreError(kind: .connection, message: "cannot create \(outputURL.path)")
        }
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let output = try FileHandle(forWritingTo: outputURL)
        defer { try? output.close() }
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw StoreError(kind: .connection, message: "cannot run \(executable): \(error)")
        }
        process.waitUntilExit()
        let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        return Outcome(status: process.terminationStatus, output: text)
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

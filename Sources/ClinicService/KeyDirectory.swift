import ClinicBus
import Foundation

/// A folder of bus keys as `clinic keys` and `clinic up` keep it: `<name>.key` per peer (mode 0600) and the broker's
/// `authorized_keys`, in a folder only its owner may enter (0700).
public struct KeyDirectory: Sendable {
    /// The folder.
    public let path: String

    /// The folder at `path` (made on first write).
    public init(_ path: String) {
        self.path = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL.path
    }

    /// The broker's authorized-keys file in this folder.
    public var authorizedKeysFile: String { path + "/authorized_keys" }

    /// The key pair file of the peer `name`.
    public func keyFile(_ name: String) -> String { path + "/\(name).key" }

    /// Makes a new key pair for `name`, writes `<name>.key` (refusing to replace one unless `force`) and, when
    /// `authorize`, puts `name`'s line (with `serves`) into `authorized_keys` in place of any earlier one.
    @discardableResult
    public func create(_ name: String, serves: [String] = [], authorize: Bool = true,
                       force: Bool = false) throws(CurveKeyError) -> CurveKeyPair {
        try Self.checkName(name, serves: serves)
        try makeFolder()
        let pair = try CurveKeyPair.generate()
        try pair.save(to: keyFile(name), name: name, overwrite: force)
        if authorize { try self.authorize(.init(name: name, publicKey: pair.publicKey, services: serves)) }
        return pair
    }

    /// The key pair of `name`: the one on file, else a new one (as `create`); when `authorize`, `authorized_keys`
    /// is brought in line with it (its key and `serves`).
    @discardableResult
    public func ensure(_ name: String, serves: [String] = [], authorize: Bool = true) throws(CurveKeyError) -> CurveKeyPair {
        guard FileManager.default.fileExists(atPath: keyFile(name)) else {
            return try create(name, serves: serves, authorize: authorize)
        }
        try Self.checkName(name, serves: serves)
        let pair = try CurveKeyPair.load(from: keyFile(name))
        let entry = AuthorizedKeys.Entry(name: name, publicKey: pair.publicKey, services: serves)
        if authorize, try authorizedKeys().entry(named: name) != entry { try self.authorize(entry) }
        return pair
    }

    /// Writes `entry`'s line into `authorized_keys` (replacing its name's line, keeping every other line).
    public func authorize(_ entry: AuthorizedKeys.Entry) throws(CurveKeyError) {
        try makeFolder()
        let current = FileManager.default.fileExists(atPath: authorizedKeysFile) ? try KeyDirectory.read(authorizedKeysFile)
                                                                                 : AuthorizedKeys.fileHeader
        let updated = AuthorizedKeys.updating(current, with: entry)
        // Checked before it replaces the file, so the broker never reloads a broken one made here.
        _ = try AuthorizedKeys.parse(updated, file: authorizedKeysFile)
        try KeyDirectory.write(updated, to: authorizedKeysFile)
    }

    /// The peers `authorized_keys` lists (none when it does not exist yet).
    public func authorizedKeys() throws(CurveKeyError) -> AuthorizedKeys {
        guard FileManager.default.fileExists(atPath: authorizedKeysFile) else { return try AuthorizedKeys(entries: []) }
        return try AuthorizedKeys.load(from: authorizedKeysFile)
    }

    // MARK: Internals

    private static func checkName(_ name: String, serves: [String]) throws(CurveKeyError) {
        guard AuthorizedKeys.isValidName(name) else {
            throw CurveKeyError(.malformed, "`\(name)` is not a valid peer name (letters, digits, . _ -; at most 64)")
        }
        for service in serves where !AuthorizedKeys.isValidService(service) {
            throw CurveKeyError(.malformed, "`\(service)` is not a bus service name (such as clinic.imaging.v1)")
        }
    }

    private func makeFolder() throws(CurveKeyError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw CurveKeyError(.unwritable, "cannot create the keys folder: \(error.localizedDescription)", file: path)
        }
    }

    private static func read(_ file: String) throws(CurveKeyError) -> String {
        do {
            return try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw CurveKeyError(.unreadable, "cannot read: \(error.localizedDescription)", file: file)
        }
    }

    /// Replaces the file atomically, readable by all (it lists public keys only).
    private static func write(_ text: String, to file: String) throws(CurveKeyError) {
        do {
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        } catch {
            throw CurveKeyError(.unwritable, "cannot write: \(error.localizedDescription)", file: file)
        }
    }
}

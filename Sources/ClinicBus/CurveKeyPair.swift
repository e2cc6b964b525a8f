import CZeroMQ
import Glibc

/// A CURVE key pair in Z85 (40 characters each): this process's identity on the bus. Its description and mirror
/// show the public key only, so printing or logging one never reveals the secret.
public struct CurveKeyPair: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The public key, Z85; the broker's authorized-keys file lists it.
    public let publicKey: String
    /// The secret key, Z85; it never leaves this process's key file.
    public let secretKey: String

    /// A pair from its two Z85 keys; throws unless both are well-formed and the public key belongs to the secret.
    public init(publicKey: String, secretKey: String) throws(CurveKeyError) {
        try CurveKey.checkZ85(publicKey, what: "public key")
        try CurveKey.checkZ85(secretKey, what: "secret key")
        guard try CurveKey.publicKey(ofSecret: secretKey) == publicKey else {
            throw CurveKeyError(.malformed, "the public key does not belong to the secret key")
        }
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// A new random key pair, made by libzmq (`zmq_curve_keypair`).
    public static func generate() throws(CurveKeyError) -> CurveKeyPair {
        var publicBuffer = [CChar](repeating: 0, count: 41)
        var secretBuffer = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicBuffer, &secretBuffer) == 0 else {
            throw CurveKeyError(.unsupported, "this libzmq cannot make CURVE keys (built without CURVE)")
        }
        defer { for index in secretBuffer.indices { secretBuffer[index] = 0 } }
        return try CurveKeyPair(publicKey: CurveKey.string(publicBuffer), secretKey: CurveKey.string(secretBuffer))
    }

    /// Reads a key file written by `save(to:name:)` (lines `public = <z85>` and `secret = <z85>`, `#` comments).
    /// Refuses a file that other users may read or that anyone but its owner may write.
    public static func load(from path: String) throws(CurveKeyError) -> CurveKeyPair {
        try KeyFiles.checkPrivate(path)
        return try parse(KeyFiles.read(path), file: path)
    }

    /// Parses the text of a key file; errors name `file` and the line at fault.
    public static func parse(_ text: String, file: String) throws(CurveKeyError) -> CurveKeyPair {
        var publicKey: (value: String, line: Int)?
        var secretKey: (value: String, line: Int)?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingWhitespace
            let number = index + 1
            if line.isEmpty || line.hasPrefix("#") { continue }
            // The setting is a word of letters; nothing else of a bad line is repeated (a Z85 key may hold `=`).
            let name = line.prefix { $0.isLetter }
            let rest = line[name.endIndex...].trimmingWhitespace
            guard !name.isEmpty, rest.first == "=" else {
                throw CurveKeyError(.malformed, "expected `public = <key>` or `secret = <key>`", file: file, line: number)
            }
            let value = String(rest.dropFirst().trimmingWhitespace)
            switch name {
            case "public":
                guard publicKey == nil else { throw CurveKeyError(.malformed, "a second public key", file: file, line: number) }
                try CurveKey.checkZ85(value, what: "public key", file: file, line: number)
                publicKey = (value, number)
            case "secret":
                guard secretKey == nil else { throw CurveKeyError(.malformed, "a second secret key", file: file, line: number) }
                try CurveKey.checkZ85(value, what: "secret key", file: file, line: number)
                secretKey = (value, number)
            default:
                throw CurveKeyError(.malformed, "unknown setting (expected `public = <key>` or `secret = <key>`)", file: file, line: number)
            }
        }
        guard let secretKey else { throw CurveKeyError(.malformed, "no `secret = <key>` line", file: file) }
        let derived = try CurveKey.publicKey(ofSecret: secretKey.value)
        if let publicKey, publicKey.value != derived {
            throw CurveKeyError(.malformed, "the public key does not belong to the secret key", file: file, line: publicKey.line)
        }
        return try CurveKeyPair(publicKey: derived, secretKey: secretKey.value)
    }

    /// The key file's text: a comment naming the key, then the public and the secret key.
    public func fileText(name: String) -> String {
        """
        # ClinicDesk bus key of \(name) (CURVE, Z85). Keep this file private (mode 0600): it holds the secret key.
        # The broker admits this key once its authorized-keys file has the line: \(name) \(publicKey)
        public = \(publicKey)
        secret = \(secretKey)

        """
    }

    /// Writes the key file with mode 0600; unless `overwrite`, refuses when the file exists already.
    public func save(to path: String, name: String, overwrite: Bool = false) throws(CurveKeyError) {
        try KeyFiles.write(fileText(name: name), to: path, mode: 0o600, overwrite: overwrite)
    }

    /// Names the public key only.
    public var description: String { "CurveKeyPair(public: \(publicKey), secret: redacted)" }
    /// Names the public key only.
    public var debugDescription: String { description }
    /// Shows the public key only, so `dump` and string interpolation of containers never reveal the secret.
    public var customMirror: Mirror { Mirror(self, children: ["publicKey": publicKey], displayStyle: .struct) }
}

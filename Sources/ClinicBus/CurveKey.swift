import CZeroMQ

/// Checks and conversions of single Z85 CURVE keys.
public enum CurveKey {
    /// Characters of a Z85-encoded 32-byte key.
    public static let length = 40

    /// The Z85 public key that belongs to the Z85 `secret` key.
    public static func publicKey(ofSecret secret: String) throws(CurveKeyError) -> String {
        try checkZ85(secret, what: "secret key")
        var buffer = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&buffer, secret) == 0 else {
            throw CurveKeyError(.unsupported, "this libzmq cannot derive CURVE keys (built without CURVE)")
        }
        return string(buffer)
    }

    /// Throws unless `key` is a well-formed Z85 key (40 characters of the Z85 alphabet); the error names `what` and
    /// where, never the key.
    public static func checkZ85(_ key: String, what: String, file: String? = nil, line: Int? = nil) throws(CurveKeyError) {
        guard key.utf8.count == length, key.utf8.allSatisfy(isZ85) else {
            throw CurveKeyError(.malformed, "the \(what) is not a \(length)-character Z85 key", file: file, line: line)
        }
        var decoded = [UInt8](repeating: 0, count: 32)
        guard zmq_z85_decode(&decoded, key) != nil else {
            throw CurveKeyError(.malformed, "the \(what) does not decode as Z85", file: file, line: line)
        }
    }

    /// The 32 bytes of a Z85 key; nil when it is not one.
    static func binary(_ z85: String) -> [UInt8]? {
        guard z85.utf8.count == length else { return nil }
        var bytes = [UInt8](repeating: 0, count: 32)
        return zmq_z85_decode(&bytes, z85) == nil ? nil : bytes
    }

    /// The Z85 text of a 32-byte binary key (as a ZAP request carries it).
    static func z85(_ binary: [UInt8]) -> String? {
        guard binary.count == 32 else { return nil }
        var buffer = [CChar](repeating: 0, count: 41)
        guard zmq_z85_encode(&buffer, binary, binary.count) != nil else { return nil }
        return string(buffer)
    }

    /// The text of a NUL-terminated buffer libzmq filled.
    static func string(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func isZ85(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            true
        default:
            z85Symbols.contains(byte)
        }
    }

    private static let z85Symbols = Set(".-:+=^!/*?&<>()[]{}@%$#".utf8)
}

import CZeroMQ

/// How a socket that connects to the broker secures its connection: not at all (`plain`, for a broker that runs
/// without CURVE on loopback), or as a CURVE client with this process's key pair and the broker's public key.
public enum BusSecurity: Sendable, Equatable, CustomStringConvertible {
    /// No encryption and no authentication; a broker running CURVE refuses such connections.
    case plain
    /// CURVE with this process's `keyPair`, trusting only the broker whose Z85 public key is `serverKey`.
    case curve(CurveKeyPair, serverKey: String)

    /// CURVE from this process's key file and the broker's Z85 public key; errors name the file or the bad key.
    public static func curve(loadingKeyFile keyFile: String, serverKey: String) throws(CurveKeyError) -> BusSecurity {
        try CurveKey.checkZ85(serverKey, what: "broker's public key")
        return .curve(try CurveKeyPair.load(from: keyFile), serverKey: serverKey)
    }

    /// Says which mode, without any key.
    public var description: String {
        switch self {
        case .plain: "plain (no CURVE)"
        case .curve: "CURVE"
        }
    }
}

extension Socket {
    /// Applies `security` as a client's: for CURVE, the broker's key and this peer's pair (before `connect`).
    package func secure(as security: BusSecurity) throws {
        guard case .curve(let pair, let serverKey) = security else { return }
        try setOption(ZMQ_CURVE_SERVERKEY, text: serverKey)
        try setOption(ZMQ_CURVE_PUBLICKEY, text: pair.publicKey)
        try setOption(ZMQ_CURVE_SECRETKEY, text: pair.secretKey)
    }

    /// Makes this (bound) socket a CURVE server with `pair`'s secret key, its handshakes checked by the ZAP handler
    /// of its context under `domain` (before `bind`).
    package func secureAsServer(_ pair: CurveKeyPair, zapDomain domain: String) throws {
        try setOption(ZMQ_CURVE_SERVER, Int32(1))
        try setOption(ZMQ_CURVE_SECRETKEY, text: pair.secretKey)
        try setOption(ZMQ_ZAP_DOMAIN, text: domain)
    }

    /// Sets a string option, passed NUL-terminated (as libzmq takes Z85 keys: 41 bytes).
    private func setOption(_ option: Int32, text: String) throws {
        var bytes = Array(text.utf8)
        bytes.append(0)
        defer { for index in bytes.indices { bytes[index] = 0 } }
        // ZAP_DOMAIN takes the string without its NUL; keys take 41 bytes with it.
        let length = option == ZMQ_ZAP_DOMAIN ? bytes.count - 1 : bytes.count
        let result = bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, length) }
        guard result == 0 else { throw BusError.zmq("setsockopt \(option)") }
    }
}

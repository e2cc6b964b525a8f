/// How the broker secures its three endpoints (requests, events in, events out).
public enum BrokerSecurity: Sendable, Equatable, CustomStringConvertible {
    /// No encryption and no authentication: allowed only when every endpoint is on loopback (127.0.0.0/8, ::1,
    /// localhost) or ipc/inproc, so nothing off this machine can reach an unauthenticated bus.
    case plain
    /// A CURVE server with `keyPair`, admitting only the peers listed in the authorized-keys file at
    /// `authorizedKeysFile` (reloaded by `Broker.reloadAuthorizedKeys()`).
    case curve(CurveKeyPair, authorizedKeysFile: String)

    /// Says which mode and which file, without any key.
    public var description: String {
        switch self {
        case .plain: "plain (no CURVE, loopback only)"
        case .curve(_, let file): "CURVE (authorized keys: \(file))"
        }
    }

    /// Whether `endpoint` is reachable from this machine only: `tcp://` to 127.0.0.0/8, `[::1]` or `localhost`, or
    /// `ipc://` and `inproc://`.
    public static func isLoopback(_ endpoint: String) -> Bool {
        if endpoint.hasPrefix("ipc://") || endpoint.hasPrefix("inproc://") { return true }
        guard endpoint.hasPrefix("tcp://") else { return false }
        let address = endpoint.dropFirst("tcp://".count)
        // A connect-style `source;destination` is judged by both parts; a bind has only one.
        return address.split(separator: ";", omittingEmptySubsequences: false).allSatisfy { isLoopbackHostAndPort($0) }
    }

    private static func isLoopbackHostAndPort(_ text: Substring) -> Bool {
        let host: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return false }
            host = text[text.index(after: text.startIndex)..<close]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return false }
            host = text[..<colon]
        }
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { octet in
            guard let value = Int(octet), octet.count <= 3 else { return false }
            return (0...255).contains(value)
        }
    }
}

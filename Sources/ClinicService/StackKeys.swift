import ClinicBus

/// The bus keys of a whole stack in one key folder: the broker's own pair, and a listed pair for every service of
/// `Stack`, the gateway and the `clinic` CLI. `clinic up` and the end-to-end tests start their children with them.
public struct StackKeys: Sendable {
    /// The broker's key name (its pair is not listed in the authorized keys: nobody connects as the broker).
    public static let broker = "bus"
    /// The gateway's peer name.
    public static let gateway = "gateway"
    /// The peer name of the message sender `clinic up` runs for local use (follow-up grants it `system`).
    public static let messageSender = "message-sender"
    /// The `clinic` CLI's peer name (status checks).
    public static let operatorCLI = "clinic"

    /// The folder.
    public let folder: KeyDirectory
    /// The broker's Z85 public key, which every peer trusts.
    public let serverKey: String

    /// The peers of the stack: every service, the gateway and the CLI.
    public static var peers: [String] { Stack.services.map(\.name) + [gateway, operatorCLI] }

    /// Makes whatever key is missing in `folder` (all of them on a first run) and lists every peer of the stack, plus
    /// `extraPeers`, in its authorized keys with the bus services it serves beyond its own.
    public static func prepare(in folder: KeyDirectory, extraPeers: [String] = []) throws(CurveKeyError) -> StackKeys {
        let server = try folder.ensure(broker, authorize: false)
        for service in Stack.services {
            try folder.ensure(service.name, serves: service.busServices.filter { AuthorizedKeys.owner(ofService: $0) != service.name })
        }
        for name in [gateway, operatorCLI] + extraPeers { try folder.ensure(name) }
        return StackKeys(folder: folder, serverKey: server.publicKey)
    }

    /// The broker's environment: its key pair and the authorized keys.
    public var brokerEnvironment: [String: String] {
        ["CLINIC_BUS_CURVE_KEY": folder.keyFile(Self.broker), "CLINIC_BUS_AUTHORIZED_KEYS": folder.authorizedKeysFile]
    }

    /// The broker's command-line options for the same.
    public var brokerArguments: [String] {
        ["--curve-key", folder.keyFile(Self.broker), "--authorized-keys", folder.authorizedKeysFile]
    }

    /// The environment of the peer `name`: its key pair file and the broker's public key.
    public func peerEnvironment(_ name: String) -> [String: String] {
        ["CLINIC_CURVE_KEY": folder.keyFile(name), "CLINIC_BUS_SERVER_KEY": serverKey]
    }

    /// The command-line options of the peer `name` for the same.
    public func peerArguments(_ name: String) -> [String] {
        // Attached with '=': a Z85 key may begin with '-', which would otherwise read as an option.
        ["--curve-key", folder.keyFile(name), "--bus-server-key=\(serverKey)"]
    }

    /// CURVE as the peer `name`, for a client in this process.
    public func security(_ name: String) throws(CurveKeyError) -> BusSecurity {
        .curve(try CurveKeyPair.load(from: folder.keyFile(name)), serverKey: serverKey)
    }
}

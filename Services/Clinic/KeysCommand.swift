import ArgumentParser
import ClinicBus
import ClinicService
import Foundation

/// `clinic keys`: the bus's CURVE keys, one pair per peer plus the broker's authorized-keys file.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Make and list the bus's CURVE keys (a key pair per peer, and the broker's authorized_keys).",
        discussion: """
            Every process on a CURVE bus has its own key pair; the broker admits the public keys its authorized_keys \
            lists, under the name on their line, which services see as the request's `peer`. After changing \
            authorized_keys, send clinic-bus SIGHUP (`kill -HUP <pid>`, `systemctl reload clinic-bus`) to reload it.
            """,
        subcommands: [NewKey.self, ListKeys.self])
}

/// Where `clinic keys` works.
struct KeyFolderOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The keys folder (env CLINIC_KEYS_DIR; default: the state folder's keys/, .clinic/keys).",
                               valueName: "dir"))
    var dir: String?

    /// The folder: `--dir`, else `CLINIC_KEYS_DIR`, else `<CLINIC_STATE_DIR or .clinic>/keys`.
    var folder: KeyDirectory {
        let environment = ProcessInfo.processInfo.environment
        return KeyDirectory(dir ?? environment["CLINIC_KEYS_DIR"] ?? ((environment["CLINIC_STATE_DIR"] ?? ".clinic") + "/keys"))
    }
}

/// `clinic keys new NAME`: a key pair for one peer, listed in the authorized keys.
struct NewKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Make a key pair for NAME (DIR/NAME.key, mode 0600) and put NAME's line into DIR/authorized_keys.")

    @Argument(help: "The peer's name on the bus (letters, digits, . _ -), e.g. imaging; services see it as `peer`.")
    var name: String

    @OptionGroup var keys: KeyFolderOptions

    @Option(parsing: .upToNextOption, help: ArgumentHelp(
        "Bus services NAME may serve besides clinic.<NAME>.v1 (and whose event topics it may publish).", valueName: "service"))
    var serves: [String] = []

    @Flag(help: "Replace NAME's key pair if it exists (the old key stops working once the broker reloads).")
    var force = false

    @Flag(help: "Only write the key pair; leave authorized_keys alone (the broker's own key, `clinic keys new bus`).")
    var noAuthorize = false

    func run() throws {
        let folder = keys.folder
        let pair: CurveKeyPair
        do {
            pair = try folder.create(name, serves: serves, authorize: !noAuthorize, force: force)
        } catch {
            throw StackError(error.description)
        }
        print("""
            \(name): public key \(pair.publicKey)
              key pair:    \(folder.keyFile(name))  (mode 0600: give it to the process as --curve-key or CLINIC_CURVE_KEY)
            """)
        if !noAuthorize {
            print("  listed in:   \(folder.authorizedKeysFile)  (send clinic-bus SIGHUP to admit it without a restart)")
        }
        if let server = try? CurveKeyPair.load(from: folder.keyFile(StackKeys.broker)), name != StackKeys.broker {
            print("  broker key:  \(server.publicKey)  (--bus-server-key or CLINIC_BUS_SERVER_KEY)")
        }
    }
}

/// `clinic keys list`: who the broker admits.
struct ListKeys: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Print each name DIR/authorized_keys admits, its public key and the services listed for it.")

    @OptionGroup var keys: KeyFolderOptions

    func run() throws {
        let folder = keys.folder
        let listed: AuthorizedKeys
        do {
            listed = try folder.authorizedKeys()
        } catch {
            throw StackError(error.description)
        }
        if listed.entries.isEmpty { print("no peers listed in \(folder.authorizedKeysFile)") }
        let width = listed.entries.map(\.name.count).max() ?? 0
        for entry in listed.entries {
            let services = entry.services.isEmpty ? "" : "  serves " + entry.services.joined(separator: " ")
            print("\(entry.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(entry.publicKey)\(services)")
        }
        if let server = try? CurveKeyPair.load(from: folder.keyFile(StackKeys.broker)) {
            print("broker (\(StackKeys.broker).key): \(server.publicKey)")
        }
    }
}

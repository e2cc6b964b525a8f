import ArgumentParser
import ClinicService
import ClinicStore
import Foundation

/// Where the local stack keeps its state and which ports it uses.
struct StackOptions: ParsableArguments {
    @Option(name: .long, help: "Folder for the private PostgreSQL cluster and logs (env CLINIC_STATE_DIR).")
    var stateDir: String = ProcessInfo.processInfo.environment["CLINIC_STATE_DIR"] ?? ".clinic"

    @Option(name: .customLong("database-url"),
            help: "Admin URL of an existing PostgreSQL server to use instead of the private cluster (env DATABASE_URL).")
    var databaseURLOption: String?

    /// The server to use instead of the private cluster: the flag, else `DATABASE_URL`.
    var databaseURL: String? { databaseURLOption ?? ProcessInfo.processInfo.environment["DATABASE_URL"] }

    @Option(name: .long, help: "Port of the private PostgreSQL cluster (env CLINIC_PG_PORT).")
    var pgPort: Int = Int(ProcessInfo.processInfo.environment["CLINIC_PG_PORT"] ?? "") ?? 54329

    /// The stack's bus keys: `<state-dir>/keys`.
    var keys: KeyDirectory { KeyDirectory(stateDir + "/keys") }

    /// The private cluster under the state folder.
    func localCluster() -> LocalCluster {
        LocalCluster(dataDirectory: clusterDirectory, port: pgPort, logger: .init(label: "clinic.postgres"))
    }

    /// `<state-dir>/pg`, unless PostgreSQL could not reach it: as root the server runs as `postgres`, which cannot
    /// enter a checkout under a private home such as /root; the cluster then lives under /var/lib/clinicdesk.
    var clusterDirectory: URL {
        let state = URL(fileURLWithPath: stateDir, isDirectory: true).standardizedFileURL
        let preferred = state.appendingPathComponent("pg")
        guard getuid() == 0, !Self.everyoneCanTraverse(state) else { return preferred }
        let key = String(state.path.hashValueStable, radix: 36)
        return URL(fileURLWithPath: "/var/lib/clinicdesk/\(key)/pg")
    }

    /// Whether every existing ancestor of `url` lets other users pass through (o+x).
    private static func everyoneCanTraverse(_ url: URL) -> Bool {
        var path = url.path
        while !path.isEmpty, path != "/" {
            var info = stat()
            if stat(path, &info) == 0, info.st_mode & 0o001 == 0 { return false }
            path = (path as NSString).deletingLastPathComponent
        }
        return true
    }

    /// Per-service URLs: the private cluster's (started if needed), or roles provisioned on `--database-url`.
    func provisionedURLs(services: [String], startCluster: Bool) throws -> [String: String] {
        let adminURL: String
        if let databaseURL {
            adminURL = databaseURL
        } else {
            let cluster = localCluster()
            if startCluster, !cluster.isRunning { try cluster.start() }
            adminURL = try cluster.adminURL
        }
        let secrets = URL(fileURLWithPath: stateDir, isDirectory: true).standardizedFileURL.appendingPathComponent("role-passwords")
        return try Provisioner.provision(services: services, adminURL: adminURL, passwordFile: secrets,
                                         logger: .init(label: "clinic.provision"))
    }
}

extension String {
    /// FNV-1a over the UTF-8 bytes: stable across runs (unlike `hashValue`).
    var hashValueStable: UInt64 {
        utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}

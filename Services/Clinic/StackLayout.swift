import ArgumentParser
import ClinicService
import ClinicStore
import Foundation
import Reception

/// The services `clinic` starts and migrates, in start order.
enum StackServices {
    /// Every service definition of the stack.
    static func all() throws -> [ServiceDefinition] {
        [try ReceptionService.definition()]
    }
}

/// Where the local stack keeps its state and which ports it uses.
struct StackOptions: ParsableArguments {
    @Option(name: .long, help: "Folder for the private PostgreSQL cluster and logs (env CLINIC_STATE_DIR).")
    var stateDir: String = ProcessInfo.processInfo.environment["CLINIC_STATE_DIR"] ?? ".clinic"

    @Option(name: .long, help: "Admin URL of an existing PostgreSQL server to use instead of the private cluster (env DATABASE_URL).")
    var databaseURL: String? = ProcessInfo.processInfo.environment["DATABASE_URL"]

    @Option(name: .long, help: "Port of the private PostgreSQL cluster (env CLINIC_PG_PORT).")
    var pgPort: Int = Int(ProcessInfo.processInfo.environment["CLINIC_PG_PORT"] ?? "") ?? 54329

    /// The private cluster under the state folder.
    func localCluster() -> LocalCluster {
        let directory = URL(fileURLWithPath: stateDir, isDirectory: true).standardizedFileURL.appendingPathComponent("pg")
        return LocalCluster(dataDirectory: directory, port: pgPort, logger: .init(label: "clinic.postgres"))
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

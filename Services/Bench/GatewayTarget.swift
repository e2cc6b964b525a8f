import ArgumentParser
import Foundation

/// The running stack a gateway benchmark drives: its gateway and the admin password file `clinic up` wrote.
struct GatewayTarget: ParsableArguments {
    @Option(help: "Base URL of a running gateway (e.g. from `clinic up`).")
    var gateway: String = "http://127.0.0.1:8080"

    @Option(help: "The stack's admin password file (clinic up's <state-dir>/admin-password).")
    var adminPasswordFile: String

    /// A load of `connections` for `seconds` on the gateway, and the admin's token; refuses without wrk or the file.
    func start(connections: Int, seconds: Int) async throws -> (load: GatewayLoad, admin: String) {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else {
            throw ValidationError("wrk is not installed (apt-get install -y wrk)")
        }
        let load = GatewayLoad(gateway: gateway, threads: 2, connections: connections, seconds: seconds)
        guard let admin = try await load.signInAsAdmin(passwordFile: adminPasswordFile) else {
            throw ValidationError("cannot read \(adminPasswordFile)")
        }
        return (load, admin)
    }
}

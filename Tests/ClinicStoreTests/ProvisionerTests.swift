import ClinicStore
import ClinicTestSupport
import Foundation
import Testing

@Suite("Provisioner and roles")
struct ProvisionerTests {
    @Test("a service role cannot read another service's schema nor create in public")
    func rolesAreIsolated() async throws {
        try await onThread {
            let reception = try ServiceDatabase.make("reception")
            let billing = try ServiceDatabase.make("billing")
            let billingConnection = try billing.connect()
            try CoreMigrations.apply(schema: billing.role, on: billingConnection, logger: TestDatabase.logger)
            try Outbox.append(topic: "t", type: "x", payload: [], on: billingConnection)

            let receptionConnection = try reception.connect()
            let read = #expect(throws: StoreError.self) {
                try receptionConnection.query("SELECT * FROM \(identifier: billing.role).outbox")
            }
            #expect(read?.sqlState == "42501")
            #expect(read?.isPermissionDenied == true)
            let create = #expect(throws: StoreError.self) {
                try receptionConnection.execute(script: "CREATE TABLE public.sneaky (x int)")
            }
            #expect(create?.sqlState == "42501")
            // Its own schema is the default and fully usable; the shared extension is visible.
            try receptionConnection.execute(script: """
                CREATE TABLE mine (chair int, during tstzrange, EXCLUDE USING gist (chair WITH =, during WITH &&))
                """)
            let schema = try receptionConnection.query("SELECT current_schema() AS s")[0].decode("s", as: String.self)
            #expect(schema == reception.role)
        }
    }

    @Test("provisioning twice keeps roles, schemas and passwords working")
    func idempotent() async throws {
        try await onThread {
            let cluster = try TestDatabase.shared()
            let directory = try TestDatabase.makeScratchDirectory(prefix: "clinic-provision")
            defer { try? FileManager.default.removeItem(at: directory) }
            // The state folder need not exist yet.
            let passwordFile = directory.appendingPathComponent("state/not-yet/passwords")
            let name = "svc_\(UUID().uuidString.prefix(8).lowercased())"
            let first = try Provisioner.provision(services: [name], adminURL: cluster.adminURL,
                                                  passwordFile: passwordFile, logger: TestDatabase.logger)
            let url = try #require(first[name])
            let connection = try Connection(url: url, logger: TestDatabase.logger)
            try connection.execute(script: "CREATE TABLE kept (x int); INSERT INTO kept VALUES (1)")
            let second = try Provisioner.provision(services: [name], adminURL: cluster.adminURL,
                                                   passwordFile: passwordFile, logger: TestDatabase.logger)
            #expect(second == first)
            let again = try Connection(url: try #require(second[name]), logger: TestDatabase.logger)
            #expect(try again.query("SELECT count(*) AS n FROM kept")[0].decode("n", as: Int.self) == 1)
            let mode = try FileManager.default.attributesOfItem(atPath: passwordFile.path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            #expect(throws: StoreError.self) {
                try Provisioner.provision(services: ["Bad-Name"], adminURL: cluster.adminURL,
                                          passwords: ["Bad-Name": "x"], logger: TestDatabase.logger)
            }
        }
    }

    @Test("service URLs swap in the role for URL and key=value admin strings")
    func connectionURLs() {
        #expect(Provisioner.connectionURL(adminURL: "postgresql://postgres:pw@127.0.0.1:5432/clinic",
                                          role: "billing", password: "s3cret")
                == "postgresql://billing:s3cret@127.0.0.1:5432/clinic")
        #expect(Provisioner.connectionURL(adminURL: "host=127.0.0.1 port=5432 dbname=clinic",
                                          role: "billing", password: "it's")
                == "dbname='clinic' host='127.0.0.1' port='5432' user='billing' password='it\\'s'")
        // The admin's credentials are not handed on to the service.
        let url = Provisioner.connectionURL(adminURL: "host='/tmp/pg sockets' port=5432 dbname=postgres user=postgres password=admin-pw",
                                            role: "billing", password: "s3cret")
        #expect(url == "dbname='postgres' host='/tmp/pg sockets' port='5432' user='billing' password='s3cret'")
        #expect(!url.contains("admin-pw"))
    }
}

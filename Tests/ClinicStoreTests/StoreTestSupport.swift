import ClinicStore
import ClinicTestSupport
import Foundation

/// A fresh service schema with a connection factory, for one test.
struct ServiceDatabase: Sendable {
    let role: String
    let url: String

    static func make(_ prefix: String) throws -> ServiceDatabase {
        let service = try TestDatabase.shared().makeService(prefix: prefix)
        return ServiceDatabase(role: service.role, url: service.url)
    }

    func connect() throws -> Connection {
        try Connection(url: url, logger: TestDatabase.logger)
    }
}

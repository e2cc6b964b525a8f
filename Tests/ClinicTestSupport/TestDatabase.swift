import ClinicStore
import Foundation
import Logging
import Synchronization

/// The PostgreSQL server shared by one test process, and a way to carve isolated service schemas from it.
public final class TestCluster: Sendable {
    /// A superuser URL.
    public let adminURL: String
    /// The throwaway local cluster, or nil when `CLINIC_TEST_DATABASE_URL` points at an existing server.
    public let localCluster: LocalCluster?
    let directory: URL?

    init(adminURL: String, localCluster: LocalCluster?, directory: URL?) {
        self.adminURL = adminURL
        self.localCluster = localCluster
        self.directory = directory
    }

    /// Provisions a fresh, uniquely named role and schema (`<prefix>_<random>`), so tests stay isolated
    /// and can run in parallel. Returns the role (= schema) name and its connection URL.
    public func makeService(prefix: String) throws -> (role: String, url: String) {
        let cleaned = String(prefix.lowercased().unicodeScalars
            .map { ("a"..."z").contains($0) || ("0"..."9").contains($0) ? Character($0) : "_" }.prefix(40))
        let start = cleaned.first.map { ("a"..."z").contains($0) } == true ? cleaned : "t_" + cleaned
        let role = "\(start)_\(UUID().uuidString.prefix(8).lowercased())"
        let password = UUID().uuidString
        let urls = try Provisioner.provision(services: [role], adminURL: adminURL, passwords: [role: password],
                                             logger: TestDatabase.logger)
        return (role, urls[role] ?? "")
    }
}

/// Starts one throwaway PostgreSQL cluster per test process (or uses `CLINIC_TEST_DATABASE_URL`).
public enum TestDatabase {
    private static let state = Mutex<TestCluster?>(nil)

    /// A quiet logger for tests.
    public static let logger = Logger(label: "clinic.test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The process-wide server, started on first use (blocking: call it from a dedicated thread)
    /// and stopped when the process exits.
    public static func shared() throws -> TestCluster {
        try state.withLock { current in
            if let current { return current }
            let cluster = try makeCluster()
            current = cluster
            if cluster.localCluster != nil { atexit { TestDatabase.shutdown() } }
            return cluster
        }
    }

    private static func makeCluster() throws -> TestCluster {
        if let url = ProcessInfo.processInfo.environment["CLINIC_TEST_DATABASE_URL"], !url.isEmpty {
            return TestCluster(adminURL: url, localCluster: nil, directory: nil)
        }
        let directory = try makeScratchDirectory(prefix: "clinic-test")
        var lastError: Error?
        // A free port can be taken between probing and binding; try a few.
        for _ in 0..<3 {
            let cluster = LocalCluster(dataDirectory: directory.appendingPathComponent("pgdata"),
                                       port: try freeTCPPort(), durable: false, logger: logger)
            do {
                try cluster.start()
                return TestCluster(adminURL: try cluster.adminURL, localCluster: cluster, directory: directory)
            } catch {
                lastError = error
            }
        }
        try? FileManager.default.removeItem(at: directory)
        throw lastError ?? StoreError(kind: .connection, message: "could not start a test cluster")
    }

    /// Stops the shared cluster at once and deletes its files.
    static func shutdown() {
        state.withLock { current in
            guard let cluster = current else { return }
            try? cluster.localCluster?.stop(mode: .immediate)
            if let directory = cluster.directory { try? FileManager.default.removeItem(at: directory) }
            current = nil
        }
    }

    /// A new world-traversable directory under the temporary directory (the server may run as `postgres`).
    public static func makeScratchDirectory(prefix: String) throws -> URL {
        let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        return directory
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    public static func freeTCPPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw StoreError(kind: .connection, message: "socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw StoreError(kind: .connection, message: "bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw StoreError(kind: .connection, message: "getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

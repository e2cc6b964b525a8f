import ClinicBus
import ClinicService
import ClinicTestSupport
import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real executables of `Stack` (broker, every service, gateway) started as child processes, on a CURVE bus
/// whose keys live in a temporary folder (or, when asked, a plain one).
final class StackProcesses: Sendable {
    /// The children, their logs in a temporary folder.
    let children: ProcessSupervisor
    let busPort: Int
    let httpPort: Int
    /// Each service's database URL, once started.
    let serviceURLs = Mutex<[String: String]>([:])
    /// Tokens signed in so far, by their roles.
    let tokens = Mutex<[String: String]>([:])
    /// The stack's bus keys (nil on a plain bus), with one more peer, `tests`, for the test's own clients.
    let keys: StackKeys?

    /// The peer name of the test's own bus clients.
    static let testPeer = "tests"
    /// The peer name of an integrating system (the C client): every service grants it `integratorRoles`.
    static let integratorPeer = "imaging"
    /// What the services' configuration grants the integrator: a nurse's roles, and no more.
    static let integratorRoles = "imaging=nurse"

    /// Reserves ports for a stack (three for the bus, one for HTTP) and, unless `curve` is false, makes its keys.
    init(curve: Bool = true) throws {
        busPort = FreePort.find(count: 3)
        httpPort = FreePort.find(count: 1)
        let name = "clinic-e2e-\(UUID().uuidString.prefix(8))"
        children = ProcessSupervisor(logDirectory: FileManager.default.temporaryDirectory.appendingPathComponent(name))
        keys = curve ? try StackKeys.prepare(in: KeyDirectory(FileManager.default.temporaryDirectory.path + "/\(name)-keys"),
                                             extraPeers: [Self.testPeer, Self.integratorPeer]) : nil
    }

    /// The broker's security options: its key pair and authorized keys, or the plain flag.
    var brokerSecurityArguments: [String] { keys?.brokerArguments ?? ["--insecure-plain-bus"] }

    /// The security options of the stack's peer `name` (none on a plain bus).
    func peerSecurityArguments(_ name: String) -> [String] { keys?.peerArguments(name) ?? [] }

    /// How the test's own bus clients connect (as the peer `tests`, or `peer`).
    func clientSecurity(as peer: String = testPeer) throws -> BusSecurity { try keys?.security(peer) ?? .plain }

    /// The C interop client's options: its key pair file and the broker's public key (none on a plain bus).
    func cClientKeyArguments() -> [String] {
        guard let keys else { return [] }
        return [keys.folder.keyFile(Self.integratorPeer), keys.serverKey]
    }

    var bus: String { "tcp://127.0.0.1:\(busPort)" }
    var eventsIn: String { "tcp://127.0.0.1:\(busPort + 1)" }
    var eventsOut: String { "tcp://127.0.0.1:\(busPort + 2)" }
    var api: String { "http://127.0.0.1:\(httpPort)" }

    /// Starts one executable, its output going to a log file (printed if the test fails); `instance` tells two
    /// processes of one executable apart (their name becomes `<executable>#<instance>`).
    func launch(_ name: String, _ arguments: [String], instance: String? = nil) throws {
        try children.launch(name, arguments, instance: instance)
    }

    /// Starts the stack's executables in `Stack`'s order — broker, every service (each on its URL in
    /// `databaseURLs`, keyed by name, or on a fresh schema), gateway — and waits until the gateway is ready (it is
    /// once every service of its route table answers).
    func startAll(databaseURLs: [String: String]) async throws {
        try launch(Stack.broker, ["--endpoint", bus, "--events-in", eventsIn, "--events-out", eventsOut, "--heartbeat-ms", "250"]
                   + brokerSecurityArguments)
        for service in Stack.services {
            let url = try databaseURLs[service.name] ?? TestDatabase.shared().makeService(prefix: "e2e_\(service.name)").url
            serviceURLs.withLock { $0[service.name] = url }
            try launch(service.executable, ["--bus", bus, "--events-in", eventsIn, "--events-out", eventsOut,
                                            "--database-url", url, "--workers", "2", "--heartbeat-ms", "250",
                                            "--peer-roles", Self.integratorRoles]
                       + peerSecurityArguments(service.name))
        }
        // Tests sign many members in from one address.
        try launch(Stack.gateway, ["--bus", bus, "--port", "\(httpPort)", "--sign-in-per-address", "10000"]
                   + peerSecurityArguments(StackKeys.gateway))
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let dead = children.firstExited {
                throw StackTestError("\(dead.name) exited at start (status \(dead.status)):\n\(logs())")
            }
            if (try? await HTTP.get("\(api)/readyz"))?.status == 200 { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw StackTestError("the gateway did not become ready in 30 s:\n\(logs())")
    }

    /// The named process (the one launched last under that name), if started.
    func process(_ name: String) -> Process? { children.process(name) }

    /// SIGTERM in reverse order; returns the exit status of each (nil if it had to be killed).
    @discardableResult
    func stopAll() -> [String: Int32?] { children.stopAll() }

    /// Everything the processes logged, for failure messages.
    func logs() -> String { children.logs() }

    deinit {
        stopAll()
        if let keys { try? FileManager.default.removeItem(atPath: keys.folder.path) }
    }
}

/// A failure of the test harness itself, with the processes' logs.
struct StackTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Finds runs of free TCP ports on 127.0.0.1.
enum FreePort {
    /// The first port of `count` consecutive ports that nothing listens on.
    static func find(count: Int) -> Int {
        for _ in 0..<200 {
            let base = Int.random(in: 20_000...59_000)
            if (0..<count).allSatisfy({ isFree(base + $0) }) { return base }
        }
        return Int.random(in: 20_000...59_000)
    }

    private static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// Tiny JSON-over-HTTP client for the tests.
enum HTTP {
    struct Answer {
        let status: Int
        let body: Data
        let headers: [String: String]
        /// The body as a JSON object.
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    }

    static func get(_ url: String, headers: [String: String] = [:]) async throws -> Answer {
        try await send("GET", url, headers: headers)
    }

    static func send(_ method: String, _ url: String, json: Any? = nil, headers: [String: String] = [:]) async throws -> Answer {
        guard let target = URL(string: url) else { throw StackTestError("bad URL \(url)") }
        var request = URLRequest(url: target, timeoutInterval: 10)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw StackTestError("not an HTTP response") }
        var fields: [String: String] = [:]
        for (key, value) in http.allHeaderFields { fields["\(key)".lowercased()] = "\(value)" }
        return Answer(status: http.statusCode, body: data, headers: fields)
    }
}

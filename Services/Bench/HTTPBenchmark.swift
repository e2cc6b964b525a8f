import ArgumentParser
import ClinicStore
import Foundation
import Hummingbird
import Logging
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `clinic-bench http`: wrk against a running gateway, beside a bare Hummingbird hello-world as the HTTP limit.
struct HTTPBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http",
        abstract: "GET and POST /v1/patients through a running gateway with wrk, beside a Hummingbird hello-world.")

    @Option(help: "Base URL of a running gateway (e.g. from `clinic up`).")
    var gateway: String = "http://127.0.0.1:8080"

    @Option(help: "Seconds per case.")
    var seconds: Int = 5

    @Option(help: "wrk connections.")
    var connections: Int = 64

    @Option(help: "wrk threads.")
    var threads: Int = 2

    @Option(help: "Where to write the JSON results.")
    var output: String = "bench-results/http.json"

    @Option(help: ArgumentHelp("The stack's admin password file (clinic up's <state-dir>/admin-password).",
                               discussion: "When it exists the benchmark signs in as a desk member (made with the admin's token) and sends that member's token with every request, as a desk would; without it requests carry none (a stack from before sign-in)."))
    var adminPasswordFile: String?

    func run() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else {
            throw ValidationError("wrk is not installed (apt-get install -y wrk)")
        }
        let hello = try await measureHelloWorld()
        print("  " + hello.line)
        hello.cpu.map { print("    " + $0.line) }

        let token = try await signInAsDesk()
        if token != nil { print("  requests carry a desk member's staff token (full-record reads, each written to the access log)") }
        let id = try await registerOnePatient(token: token)
        let get = try runWrk(name: "gateway GET /v1/patients/{id}", url: "\(gateway)/v1/patients/\(id)", script: nil, token: token)
        print("  " + get.line)
        get.cpu.map { print("    " + $0.line) }
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("clinic-bench-post-\(getpid()).lua")
        try Self.postScript.write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let post = try runWrk(name: "gateway POST /v1/patients", url: "\(gateway)/v1/patients", script: script.path,
                              scriptArguments: [String(Int.random(in: 0..<9_000_000))], token: token)
        print("  " + post.line)
        post.cpu.map { print("    " + $0.line) }
        let ratio = hello.requestsPerSecond > 0 ? get.requestsPerSecond / hello.requestsPerSecond : 0
        print(String(format: "gateway GET / hello-world throughput: %.2f", ratio))

        let report = HTTPBenchReport(connections: connections, threads: threads, seconds: seconds,
                                     helloWorld: hello, gatewayGet: get, gatewayPost: post, getToHelloWorldRatio: ratio)
        try writeReport(report, to: output)
    }

    /// A hello-world JSON endpoint in this process, measured with the same wrk settings.
    private func measureHelloWorld() async throws -> WrkResult {
        try await HelloWorldServer.serving { url in
            try runWrk(name: "hello-world (Hummingbird, same machine)", url: url, script: nil)
        }
    }

    /// The load this command drives.
    var load: GatewayLoad { GatewayLoad(gateway: gateway, threads: threads, connections: connections, seconds: seconds) }

    /// A desk member's token, when the stack has an admin to make the member with; nil otherwise.
    private func signInAsDesk() async throws -> String? {
        guard let admin = try await load.signInAsAdmin(passwordFile: adminPasswordFile) else { return nil }
        return try await load.member("bench.desk", name: "压测前台", role: "STAFF_ROLE_DESK", admin: admin)
    }

    private func registerOnePatient(token: String?) async throws -> String {
        guard let url = URL(string: "\(gateway)/v1/patients") else { throw ValidationError("bad --gateway URL") }
        var request = URLRequest(url: url)
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        request.httpMethod = "POST"
        let phone = "159\(String(format: "%08d", Int.random(in: 0..<100_000_000)))"
        request.httpBody = Data(#"{"name":"压测\#(phone.suffix(6))","birthDate":"1990-01-01","phone":"\#(phone)"}"#.utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        guard (response as? HTTPURLResponse)?.statusCode == 201,
              let body = try JSONSerialization.jsonObject(with: data) as? [String: Any], let id = body["id"] as? String else {
            throw ValidationError("could not register the patient to read: \(String(decoding: data, as: UTF8.self))")
        }
        return id
    }

    private func runWrk(name: String, url: String, script: String?, scriptArguments: [String] = [], token: String? = nil) throws -> WrkResult {
        try load.wrk(name: name, url: url, script: script, scriptArguments: scriptArguments, token: token)
    }

    /// Unique, valid patients per request: phone 15<thread><8 digits>, name from the same counter.
    static let postScript = """
        local threads = {}
        function setup(thread)
          thread:set("tid", #threads)
          table.insert(threads, thread)
        end
        function init(args)
          base = tonumber(args[1]) or 0
          counter = 0
          wrk.method = "POST"
          wrk.headers["Content-Type"] = "application/json"
        end
        function request()
          counter = counter + 1
          local n = (base + counter) % 100000000
          local phone = string.format("15%d%08d", tid % 10, n)
          local body = string.format('{"name":"压测%d-%d","birthDate":"1990-01-01","phone":"%s"}', tid, n, phone)
          return wrk.format(nil, nil, nil, body)
        end
        """
}

/// Throughput and latency of one wrk run, parsed from its `--latency` output.
struct WrkResult: Codable {
    var name: String
    var requestsPerSecond: Double
    var p50Milliseconds: Double
    var p99Milliseconds: Double
    var non2xx: Int
    var socketErrors: String
    /// Requests completed in the run.
    var requests: Int = 0
    /// Where the CPU went during the run, per request.
    var cpu: CPUPerRequest?

    init(name: String, wrkOutput: String) {
        self.name = name
        requestsPerSecond = 0
        p50Milliseconds = 0
        p99Milliseconds = 0
        non2xx = 0
        socketErrors = ""
        for raw in wrkOutput.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if line.hasPrefix("Requests/sec:"), let value = parts.last.flatMap({ Double($0) }) { requestsPerSecond = value }
            if line.hasPrefix("50%"), let value = parts.last.flatMap(Self.milliseconds) { p50Milliseconds = value }
            if line.hasPrefix("99%"), let value = parts.last.flatMap(Self.milliseconds) { p99Milliseconds = value }
            if line.hasPrefix("Non-2xx or 3xx responses:"), let value = parts.last.flatMap({ Int($0) }) { non2xx = value }
            if line.hasPrefix("Socket errors:") { socketErrors = line }
            if parts.count >= 3, parts[1] == "requests", parts[2] == "in", let value = Int(parts[0]) { requests = value }
        }
    }

    /// `850.00us`, `1.23ms`, `1.05s` → milliseconds.
    static func milliseconds(_ text: Substring) -> Double? {
        for (suffix, factor) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0)] where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { $0 * factor }
        }
        return nil
    }

    var line: String {
        name + ": " + String(format: "%9.0f req/s   p50 %6.2f ms   p99 %6.2f ms", requestsPerSecond, p50Milliseconds,
                                    p99Milliseconds) + (non2xx > 0 ? "   (\(non2xx) non-2xx)" : "")
    }
}

/// What `clinic-bench http` writes to its JSON file.
struct HTTPBenchReport: Codable {
    var connections: Int
    var threads: Int
    var seconds: Int
    var helloWorld: WrkResult
    var gatewayGet: WrkResult
    var gatewayPost: WrkResult
    /// Gateway GET throughput / hello-world throughput.
    var getToHelloWorldRatio: Double
}

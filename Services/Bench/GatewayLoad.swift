import ArgumentParser
import ClinicStore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What the HTTP benchmarks share: JSON requests to a running gateway, signing in, and wrk runs with the CPU they
/// cost read from /proc.
struct GatewayLoad {
    /// Base URL of the gateway, e.g. `http://127.0.0.1:8080`.
    let gateway: String
    let threads: Int
    let connections: Int
    let seconds: Int

    /// Sends `body` (JSON, if any) as the member whose token is given; the status and the decoded answer.
    func send(_ method: String, _ path: String, _ body: Any? = nil, token: String?) async throws -> (status: Int, json: [String: Any]) {
        guard let url = URL(string: gateway + path) else { throw ValidationError("bad --gateway URL") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let body { request.httpBody = try JSONSerialization.data(withJSONObject: body) }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:])
    }

    /// As `send`, failing unless the status is one of `expect`.
    func require(_ method: String, _ path: String, _ body: Any? = nil, token: String?, expect: Set<Int>) async throws -> [String: Any] {
        let answer = try await send(method, path, body, token: token)
        guard expect.contains(answer.status) else {
            throw ValidationError("\(method) \(path) answered HTTP \(answer.status): \(answer.json)")
        }
        return answer.json
    }

    /// A staff token for `account`.
    func signIn(account: String, password: String) async throws -> String {
        let answer = try await send("POST", "/v1/sessions", ["account": account, "password": password], token: nil)
        guard answer.status == 201, let token = answer.json["token"] as? String else {
            throw ValidationError("signing in as \(account) answered HTTP \(answer.status)")
        }
        return token
    }

    /// The admin's token from clinic up's password file, nil when there is no such file.
    func signInAsAdmin(passwordFile: String?) async throws -> String? {
        guard let file = passwordFile,
              let password = try? String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) else {
            return nil
        }
        return try await signIn(account: "admin", password: password)
    }

    /// A token of member `account` holding `role`, added with the admin's token if not there yet.
    func member(_ account: String, name: String, role: String, admin: String) async throws -> String {
        let password = "\(account)-password"
        let status = try await send("POST", "/v1/staff", ["account": account, "name": name, "roles": [role], "password": password],
                                    token: admin).status
        guard status == 201 || status == 409 else { throw ValidationError("could not add the bench member \(account) (HTTP \(status))") }
        return try await signIn(account: account, password: password)
    }

    /// The status of a GET.
    static func get(_ url: String) async throws -> Int {
        guard let target = URL(string: url) else { return 0 }
        let (_, response) = try await URLSession.shared.data(from: target)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    /// One wrk run against `url` (with a Lua `script` and its arguments, and the member's token), with its CPU cost;
    /// `connections` overrides the load's own.
    func wrk(name: String, url: String, script: String? = nil, scriptArguments: [String] = [], token: String? = nil,
             connections: Int? = nil) throws -> WrkResult {
        var arguments = ["-t\(threads)", "-c\(connections ?? self.connections)", "-d\(seconds)s", "--latency"]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        if let script { arguments += ["-s", script] }
        arguments.append(url)
        if !scriptArguments.isEmpty { arguments += ["--"] + scriptArguments }
        let before = CPUSnapshot.now()
        let outcome = try CommandRunner.run("/usr/bin/wrk", arguments)
        var result = WrkResult(name: name, wrkOutput: outcome.output)
        result.cpu = before.perRequest(until: CPUSnapshot.now(), requests: Double(result.requests))
        return result
    }

    /// Writes a Lua script for wrk to a temporary file; the caller removes it.
    static func script(_ text: String, named name: String) throws -> URL {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("clinic-bench-\(name)-\(getpid()).lua")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }
}

import Foundation

/// JSON over HTTP against the gateway, signed in as one member of staff, failing loudly on any unexpected status:
/// how the `clinic` CLI (which links no service library) loads demo data and imports a fee schedule.
struct GatewayClient {
    let api: String
    /// The staff token sent with every request ("" before signing in).
    var token = ""
    /// What the client is doing, for error messages ("demo data", "fee import").
    var task = "demo data"

    /// A client signed in as `account`.
    static func signedIn(api: String, account: String, password: String, task: String = "demo data") throws -> GatewayClient {
        let answer = try GatewayClient(api: api, task: task).send("POST", "/v1/sessions", ["account": account, "password": password],
                                                                   expect: [201])
        guard let token = answer.json["token"] as? String else { throw StackError("\(task): signing in as \(account) gave no token") }
        return GatewayClient(api: api, token: token, task: task)
    }

    /// Sends `body` (if any) and returns the answer, throwing when the status is not one of `expect`.
    func send(_ method: String, _ path: String, _ body: Any? = nil, expect: Set<Int>,
              timeout: TimeInterval = 5, headers: [String: String] = [:]) throws -> (status: Int, json: [String: Any]) {
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        guard let answer = HTTPProbe.request(method, api + path, json: data, token: token, timeout: timeout, headers: headers) else {
            throw StackError("the gateway at \(api) did not answer \(method) \(path) (\(task))")
        }
        guard expect.contains(answer.status) else {
            throw StackError("\(task): \(method) \(path) answered HTTP \(answer.status): \(String(decoding: answer.body, as: UTF8.self))")
        }
        return (answer.status, (try? JSONSerialization.jsonObject(with: answer.body)) as? [String: Any] ?? [:])
    }

    /// The `id` of a created resource.
    func id(of answer: (status: Int, json: [String: Any])) throws -> String {
        guard let id = answer.json["id"] as? String else { throw StackError("\(task): the gateway's answer carried no id") }
        return id
    }
}

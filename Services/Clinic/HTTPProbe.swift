import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Minimal blocking HTTP for the CLI (readiness checks, demo data); never used inside a service.
enum HTTPProbe {
    /// The status code of a GET, or nil when nothing answers.
    static func status(of url: String) -> Int? {
        request("GET", url)?.status
    }

    /// Sends one request with an optional JSON body (and staff token) and waits up to `timeout` seconds for the answer.
    static func request(_ method: String, _ url: String, json: Data? = nil, token: String = "",
                        timeout: TimeInterval = 5, headers: [String: String] = [:]) -> (status: Int, body: Data)? {
        guard let target = URL(string: url) else { return nil }
        var request = URLRequest(url: target, timeoutInterval: timeout)
        request.httpMethod = method
        if !token.isEmpty { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let json {
            request.httpBody = json
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let answer = Answer()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, _ in
            if let http = response as? HTTPURLResponse { answer.set((http.statusCode, data ?? Data())) }
            done.signal()
        }.resume()
        done.wait()
        return answer.value
    }

    /// The answer handed from URLSession's queue to the waiting thread.
    private final class Answer: @unchecked Sendable {
        // Safe: written once on URLSession's queue before the semaphore signals, read after the wait.
        var value: (status: Int, body: Data)?
        func set(_ value: (status: Int, body: Data)) { self.value = value }
    }
}

import Foundation
import Hummingbird
import Logging

/// A bare Hummingbird hello-world JSON endpoint in this process: what HTTP costs on this machine without the stack,
/// measured beside it.
enum HelloWorldServer {
    /// Serves `GET /hello` on a free port while `body` runs with its URL.
    static func serving<Result>(_ body: (String) throws -> Result) async throws -> Result {
        let router = Router()
        router.get("/hello") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(string: #"{"hello":"world"}"#)))
        }
        let port = Int.random(in: 30_000...39_000)
        var quiet = Logger(label: "bench.hello")
        quiet.logLevel = .critical  // stopping it afterwards logs a cancellation that is no error
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: quiet)
        let server = Task { try await app.run() }
        defer { server.cancel() }
        for _ in 0..<100 where (try? await GatewayLoad.get("http://127.0.0.1:\(port)/hello")) != 200 {
            try await Task.sleep(for: .milliseconds(50))
        }
        return try body("http://127.0.0.1:\(port)/hello")
    }
}

import ClinicService
@testable import Gateway
import ClinicTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting

/// Gateway access for tests: tokens signed by `TestStaff`, verified as the gateway verifies staff's.
enum TestAccess {
    static let gateway = GatewayAccess(verifier: StaffTokenVerifier(source: TestStaff.trust, logger: .init(label: "test.gateway.access")))
}

extension TestClientProtocol {
    /// `execute` as a signed-in member of staff: the request carries `Authorization: Bearer <token>` (a
    /// supervisor's unless `token` is given) unless `headers` has its own.
    @discardableResult
    func executeSignedIn<Return>(uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: ByteBuffer? = nil,
                                 token: String? = nil,
                                 testCallback: @escaping (TestResponse) async throws -> Return = { $0 }) async throws -> Return {
        var headers = headers
        if headers[.authorization] == nil {
            let token = if let token { token } else { await TestStaff.token([.supervisor]) }
            headers[.authorization] = "Bearer \(token)"
        }
        return try await execute(uri: uri, method: method, headers: headers, body: body, testCallback: testCallback)
    }
}

import ClinicBus
import ClinicProto
import ClinicService
import ClinicTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Gateway

@Suite("Gateway access: tokens and roles from the contract")
struct GatewayAccessTests {
    static let patient = "/v1/patients/10000000-0000-4000-8000-000000000001"
    static let challenge = HTTPField.Name("WWW-Authenticate")!

    func withGateway(_ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let backend = try TestBackend()
        defer { backend.stop() }
        let router = GatewayRouter.build(transport: backend.client, access: TestAccess.gateway, metrics: GatewayMetrics()) { [] }
        try await Application(router: router).test(.router, test)
    }

    @Test func noTokenIs401WithAChallenge() async throws {
        try await withGateway { client in
            try await client.execute(uri: Self.patient, method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[Self.challenge] == #"Bearer realm="clinicdesk""#)
                #expect(String(buffer: response.body).contains("POST /v1/sessions"))
            }
        }
    }

    @Test func malformedExpiredAndForeignTokensAre401() async throws {
        // A director's claims under a signature that does not verify.
        let parts = await TestStaff.token([.director]).split(separator: ".")
        let foreign = parts[0] + "." + parts[1] + "." + String(parts[2].reversed())
        try await withGateway { client in
            for (authorization, error) in [("Basic dXNlcjpwdw==", "invalid_request"), ("Bearer", "invalid_request"),
                                           ("Bearer not-a-jwt", "invalid_token"), ("Bearer \(foreign)", "invalid_token")] {
                try await client.execute(uri: Self.patient, method: .get, headers: [.authorization: authorization]) { response in
                    #expect(response.status == .unauthorized, "\(authorization.prefix(12))")
                    #expect(response.headers[Self.challenge]?.contains(#"error="\#(error)""#) == true, "\(authorization.prefix(12))")
                    // The token is never echoed.
                    #expect(!String(buffer: response.body).contains("not-a-jwt"))
                }
            }
            let expired = await TestStaff.token([.desk], lifetime: .seconds(1))
            try await Task.sleep(for: .milliseconds(2100))
            try await client.executeSignedIn(uri: Self.patient, method: .get, token: expired) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains("expired"))
            }
        }
    }

    @Test func aRoleTheRouteDoesNotListIs403NamingTheRoles() async throws {
        try await withGateway { client in
            // Registering is for desk, nurse, supervisor and director; a cashier may not.
            try await client.executeSignedIn(uri: "/v1/patients", method: .post, body: ByteBuffer(string: "{}"),
                                             token: await TestStaff.token([.cashier])) { response in
                #expect(response.status == .forbidden)
                #expect(String(buffer: response.body).contains("desk, nurse, supervisor, director"))
            }
            // A cashier may read (masked, by the service); the gateway lets it through.
            try await client.executeSignedIn(uri: Self.patient, method: .get, token: await TestStaff.token([.cashier])) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func aRevokedTokenIsRefusedAtOnce() async throws {
        let token = await TestStaff.token([.desk])
        try await withGateway { client in
            try await client.executeSignedIn(uri: Self.patient, method: .get, token: token) { #expect($0.status == .ok) }
            let claims = try await TestAccess.gateway.verifier.verify(token)
            TestAccess.gateway.verifier.revoke(tokenID: claims.jti.value, expiresAt: claims.exp.value)
            try await client.executeSignedIn(uri: Self.patient, method: .get, token: token) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains("signed out"))
            }
        }
    }

    @Test func openAPIStatesEachRoutesRolesAsItsSecurity() async throws {
        try await withGateway { client in
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                let document = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
                let register = try #require(paths["/v1/patients"]?["post"])
                #expect(register["x-clinic-roles"] as? [String] == ["desk", "nurse", "supervisor", "director"])
                #expect((register["security"] as? [[String: [String]]])?.first?["staffToken"] == [])
                #expect((register["responses"] as? [String: Any])?["401"] != nil)
                #expect((register["responses"] as? [String: Any])?["403"] != nil)
                let signIn = try #require(paths["/v1/sessions"]?["post"])
                #expect((signIn["security"] as? [Any])?.isEmpty == true)
                let components = try #require(document["components"] as? [String: Any])
                #expect((components["securitySchemes"] as? [String: Any])?["staffToken"] != nil)
            }
        }
    }
}

@Suite("Sign-in rate limits")
struct SignInLimiterTests {
    @Test func anAccountOverItsLimitWaitsForTheWindow() {
        let limiter = SignInLimiter(limits: .init(perAccount: 3, perAddress: 100, window: .seconds(60)))
        let start = ContinuousClock.now
        for second in 0..<3 { #expect(limiter.admit(account: "li.desk", address: "10.0.0.1", now: start + .seconds(second)) == nil) }
        let wait = limiter.admit(account: "LI.DESK", address: "10.0.0.2", now: start + .seconds(10))
        #expect(wait == .seconds(50))
        // Another account from the same address is not held back, and the window moves on.
        #expect(limiter.admit(account: "wang.desk", address: "10.0.0.1", now: start + .seconds(10)) == nil)
        #expect(limiter.admit(account: "li.desk", address: "10.0.0.1", now: start + .seconds(61)) == nil)
    }

    @Test func anAddressOverItsLimitIsHeldBackWhateverTheAccount() {
        let limiter = SignInLimiter(limits: .init(perAccount: 100, perAddress: 2, window: .seconds(30)))
        let start = ContinuousClock.now
        #expect(limiter.admit(account: "a", address: "10.0.0.9", now: start) == nil)
        #expect(limiter.admit(account: "b", address: "10.0.0.9", now: start) == nil)
        #expect(limiter.admit(account: "c", address: "10.0.0.9", now: start + .seconds(1)) == .seconds(29))
    }
}

@Suite("The Authorization header")
struct BearerTokenTests {
    func token(_ value: String?) throws(GatewayError) -> String? {
        var headers = HTTPFields()
        if let value { headers[.authorization] = value }
        let request = Request(head: HTTPRequest(method: .get, scheme: "http", authority: "x", path: "/", headerFields: headers),
                              body: RequestBody(buffer: ByteBuffer()))
        return try GatewayAccess.bearerToken(of: request)
    }

    @Test func theSchemeIsCaseInsensitiveAndSpacesAroundTheTokenGo() throws {
        #expect(try token(nil) == nil)
        #expect(try token("Bearer abc.def.ghi") == "abc.def.ghi")
        #expect(try token("  bEaReR   abc.def  ") == "abc.def")
        for bad in ["Basic dXNlcjpwdw==", "Bearer", "Bearer   ", "Bearerabc", "Bear abc", ""] {
            #expect(throws: GatewayError.self, "\(bad)") { try token(bad) }
        }
    }
}

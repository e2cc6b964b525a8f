import ClinicBus
import ClinicContract
import ClinicService
import HTTPTypes
import Hummingbird

/// What the gateway checks before a call leaves for the bus: the staff token (verified here, with no bus hop)
/// against the route's access rule, and the sign-in rate limits. Services check the token again themselves.
public struct GatewayAccess: Sendable {
    static let authorizationField = HTTPField.Name("Authorization")!
    static let challengeField = HTTPField.Name("WWW-Authenticate")!
    static let retryAfterField = HTTPField.Name("Retry-After")!
    /// The challenge of a 401: a bearer token from `POST /v1/sessions`.
    static let realm = #"Bearer realm="clinicdesk""#

    /// Verifies staff tokens.
    public let verifier: StaffTokenVerifier
    /// Limits sign-in attempts.
    public let signIns: SignInLimiter

    /// Access checks over `verifier` and `signIns`.
    public init(verifier: StaffTokenVerifier, signIns: SignInLimiter = SignInLimiter()) {
        self.verifier = verifier
        self.signIns = signIns
    }

    /// The bearer token of `request`: nil when there is no Authorization header; 401 when it is not a bearer token.
    /// Read off the header's UTF-8 bytes (Foundation's trimming bridges through UTF-16: a fifth of the gateway's
    /// CPU per request when it did).
    static func bearerToken(of request: Request) throws(GatewayError) -> String? {
        guard let value = request.headers[authorizationField] else { return nil }
        let bytes = value.utf8
        let scheme = Array("bearer".utf8)
        var start = bytes.startIndex
        while start < bytes.endIndex, bytes[start] == UInt8(ascii: " ") { start = bytes.index(after: start) }
        var cursor = start
        for expected in scheme {
            guard cursor < bytes.endIndex, bytes[cursor] | 0x20 == expected else { throw Self.notBearer }
            cursor = bytes.index(after: cursor)
        }
        guard cursor < bytes.endIndex, bytes[cursor] == UInt8(ascii: " ") else { throw Self.notBearer }
        while cursor < bytes.endIndex, bytes[cursor] == UInt8(ascii: " ") { cursor = bytes.index(after: cursor) }
        var end = bytes.endIndex
        while end > cursor, bytes[bytes.index(before: end)] == UInt8(ascii: " ") { end = bytes.index(before: end) }
        guard cursor < end else { throw Self.notBearer }
        return String(value[cursor..<end])
    }

    static let notBearer = GatewayError.unauthenticated("Authorization: must be 'Bearer <token>' with the token from POST /v1/sessions",
                                                        challenge: #"\#(realm), error="invalid_request""#)

    /// The verified claims of the request's token, checked against `route`'s access rule: nil for a public route
    /// (a token sent to one is passed on unchecked); 401 when a token is needed and missing or refused; 403 naming
    /// the roles that may call; 503 when tokens cannot be checked now.
    func admit(_ route: GatewayRoute, token: String?) async throws(GatewayError) -> StaffClaims? {
        switch route.access {
        case .open:
            return nil
        case .systemOnly:
            throw GatewayError(.permissionDenied, route.access.refusal)
        case .roles, .signedIn:
            guard let token else {
                throw GatewayError.unauthenticated("sign in first: send Authorization: Bearer <token> from POST /v1/sessions",
                                                   challenge: Self.realm)
            }
            let claims: StaffClaims
            do {
                claims = try await verifier.verify(token)
            } catch {
                let rpc = error.rpcError
                if rpc.code == .unavailable { throw GatewayError(rpc) }
                throw GatewayError.unauthenticated(rpc.message, challenge: #"\#(Self.realm), error="invalid_token""#)
            }
            guard route.access.admits(roles: claims.staffRoles, signedIn: true, isSystem: false) else {
                throw GatewayError(.permissionDenied, route.access.refusal)
            }
            return claims
        }
    }

    /// 429 with `Retry-After` when sign-ins on `account` or from `address` are over their limits.
    func limitSignIn(account: String, address: String) throws(GatewayError) {
        guard let wait = signIns.admit(account: account, address: address) else { return }
        let seconds = max(1, Int((Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18).rounded(.up)))
        throw GatewayError(.resourceExhausted, "too many sign-in attempts: try again in \(seconds) s", retryAfterSeconds: seconds)
    }
}

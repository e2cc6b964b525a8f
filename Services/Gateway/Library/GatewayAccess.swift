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
    static func bearerToken(of request: Request) throws(GatewayError) -> String? {
        guard let value = request.headers[authorizationField] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].trimmingCharacters(in: .whitespaces).isEmpty else {
            throw GatewayError.unauthenticated("Authorization: must be 'Bearer <token>' with the token from POST /v1/sessions",
                                               challenge: #"\#(Self.realm), error="invalid_request""#)
        }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }

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

import ClinicBus
import ClinicProto

/// The gate every service's workers check requests at: the staff token verified by the service itself, the bus
/// identity's grant from configuration, and the rpc's access rule from the contract.
public struct StaffGate: CallerGate {
    /// Verifies tokens (shared by the process's worker threads).
    public let verifier: StaffTokenVerifier
    /// Grants by bus identity.
    public let peers: PeerRoles

    /// A gate over `verifier` and `peers`.
    public init(verifier: StaffTokenVerifier, peers: PeerRoles) {
        self.verifier = verifier
        self.peers = peers
    }

    /// The verified caller, or UNAUTHENTICATED (a token needed and missing or refused), PERMISSION_DENIED (naming
    /// the roles that may call) or UNAVAILABLE (tokens cannot be checked now). A bad token sent to a public rpc is
    /// ignored rather than refused.
    public func admit(_ header: Clinic_Bus_V1_RequestHeader, to access: Access) throws -> VerifiedCaller {
        let grant = peers.grant(for: header.peer)
        var caller = VerifiedCaller(roles: grant.roles, peer: header.peer, isSystem: grant.isSystem)
        if !header.token.isEmpty {
            do {
                let claims = try verifier.verifyBlocking(header.token)
                caller.staffID = claims.sub.value
                caller.name = claims.name
                caller.branch = claims.branch
                caller.tokenID = claims.jti.value
                caller.roles.formUnion(claims.staffRoles)
            } catch {
                if access != .open { throw error.rpcError }
            }
        }
        guard access.admits(roles: caller.roles, signedIn: caller.isStaff, isSystem: caller.isSystem) else {
            if access.wantsStaff && !caller.isStaff && caller.roles.isEmpty {
                throw RPCError(.unauthenticated, "sign in first: \(access.refusal)")
            }
            throw RPCError(.permissionDenied, access.refusal)
        }
        return caller
    }
}

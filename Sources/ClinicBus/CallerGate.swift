import ClinicProto

/// Who a request comes from, once its staff token and bus identity are verified: what handlers act on.
public struct VerifiedCaller: Sendable, Hashable {
    /// The staff member's id, from the verified token ("" when no member of staff acts).
    public var staffID: String
    /// The member's name as the token carries it.
    public var name: String
    /// Every role the caller holds: its token's and those its bus identity is granted.
    public var roles: Set<StaffRole>
    /// The member's branch ("" when none).
    public var branch: String
    /// The bus identity the broker authenticated ("" on a bus without CURVE).
    public var peer: String
    /// Whether the bus identity is one of the clinic's own systems.
    public var isSystem: Bool
    /// The token's id (`jti`), "" without a token.
    public var tokenID: String

    /// Creates a caller.
    public init(staffID: String = "", name: String = "", roles: Set<StaffRole> = [], branch: String = "", peer: String = "",
                isSystem: Bool = false, tokenID: String = "") {
        self.staffID = staffID
        self.name = name
        self.roles = roles
        self.branch = branch
        self.peer = peer
        self.isSystem = isSystem
        self.tokenID = tokenID
    }

    /// Whether a member of staff signed in (a valid token came with the request).
    public var isStaff: Bool { !staffID.isEmpty }

    /// Who acts, for the record: the staff member's id, else `system:<bus identity>`.
    public var actor: String { isStaff ? staffID : "system:\(peer.isEmpty ? "anonymous" : peer)" }

    /// The role names, in contract order, for records and logs.
    public var roleNames: [String] { StaffRole.all.filter(roles.contains).map(\.name) }

    /// Whether the caller holds any of `roles`.
    public func holdsAny(of roles: Set<StaffRole>) -> Bool { !self.roles.isDisjoint(with: roles) }
}

/// Decides, before any handler runs, whether a request may call an rpc, and who its caller is. Services verify
/// the staff token themselves (a bus peer that writes a caller into the header gains nothing) and grant roles to
/// bus identities from their configuration.
public protocol CallerGate: Sendable {
    /// The verified caller of a request for an rpc under `access`; throws UNAUTHENTICATED for a missing or bad
    /// token where one is needed, PERMISSION_DENIED naming the roles that may call, UNAVAILABLE when tokens cannot
    /// be checked right now.
    func admit(_ header: Clinic_Bus_V1_RequestHeader, to access: Access) throws -> VerifiedCaller
}

/// The gate of a route table that was given none: only public rpcs pass, so a service wired without its gate
/// refuses rather than serves.
public struct ClosedGate: CallerGate {
    /// Creates the gate.
    public init() {}

    /// Admits public rpcs with an anonymous caller; refuses the rest.
    public func admit(_ header: Clinic_Bus_V1_RequestHeader, to access: Access) throws -> VerifiedCaller {
        guard access == .open else { throw RPCError(.unauthenticated, "this service checks no callers: \(access.refusal)") }
        return VerifiedCaller(peer: header.peer)
    }
}

import ClinicProto

/// The clinic's staff roles (DOMAIN.md §5), as the contract and staff tokens name them.
public typealias StaffRole = Clinic_Api_V1_StaffRole

extension StaffRole {
    /// Every role a member of staff can hold, in the contract's order.
    public static let all: [StaffRole] = allCases.filter { $0 != .unspecified }

    /// The role's name in tokens, logs and messages: the enum name less its prefix, lower case (`customer_service`).
    public var name: String {
        switch self {
        case .unspecified: "unspecified"
        case .desk: "desk"
        case .cashier: "cashier"
        case .nurse: "nurse"
        case .doctor: "doctor"
        case .consultant: "consultant"
        case .customerService: "customer_service"
        case .supervisor: "supervisor"
        case .director: "director"
        case .admin: "admin"
        case .UNRECOGNIZED(let number): "role_\(number)"
        }
    }

    /// The role a token or configuration names, if it is one.
    public init?(name: String) {
        guard let role = Self.all.first(where: { $0.name == name }) else { return nil }
        self = role
    }
}

/// Who may call an rpc, as its `(clinic.api.v1.access)` option says. The worker runtime enforces it before any
/// handler runs; the gateway answers 401/403 from it without a bus hop, and OpenAPI shows it.
public enum Access: Sendable, Hashable {
    /// A caller holding any of these roles (from its staff token, or granted to its bus identity).
    case roles(Set<StaffRole>)
    /// Any signed-in member of staff.
    case signedIn
    /// Only a system the service's configuration grants `system` (event replay, internal look-ups).
    case systemOnly
    /// Anyone who reaches the bus or the gateway.
    case open

    /// Whether the rule lets a caller with `roles` (and `isSystem` when its bus identity is a system) in, given
    /// whether it presented a valid staff token.
    public func admits(roles: Set<StaffRole>, signedIn: Bool, isSystem: Bool) -> Bool {
        switch self {
        case .open: true
        case .signedIn: signedIn
        case .systemOnly: isSystem
        case .roles(let allowed): !allowed.isDisjoint(with: roles)
        }
    }

    /// Whether a staff token is what the caller lacks when refused (401 rather than 403).
    public var wantsStaff: Bool {
        switch self {
        case .roles, .signedIn: true
        case .systemOnly, .open: false
        }
    }

    /// The role names that may call, in contract order (empty unless `.roles`).
    public var roleNames: [String] {
        guard case .roles(let allowed) = self else { return [] }
        return StaffRole.all.filter(allowed.contains).map(\.name)
    }

    /// A sentence for a refused caller naming who may call.
    public var refusal: String {
        switch self {
        case .roles: "this needs one of the roles: \(roleNames.joined(separator: ", "))"
        case .signedIn: "this needs a signed-in member of staff"
        case .systemOnly: "this is for the clinic's own systems only"
        case .open: "open to all"
        }
    }
}

import ClinicContract
import Foundation

/// What a service grants callers by their bus identity (the name the broker authenticated with CURVE), from its
/// configuration: the stack's own services are `system`; another system, such as an imaging server, can be given
/// staff roles (`imaging=doctor`). Staff members get their roles from their tokens, never from here.
public struct PeerRoles: Sendable, Equatable {
    /// What one identity is granted.
    public struct Grant: Sendable, Equatable {
        /// Staff roles the identity acts in.
        public var roles: Set<StaffRole>
        /// Whether it is one of the clinic's own systems (may call system-only rpcs).
        public var isSystem: Bool

        /// A grant of `roles`, and system standing when `isSystem`.
        public init(roles: Set<StaffRole> = [], isSystem: Bool = false) {
            self.roles = roles
            self.isSystem = isSystem
        }
    }

    /// Grants by identity.
    public var grants: [String: Grant]

    /// Grants as given.
    public init(grants: [String: Grant] = [:]) { self.grants = grants }

    /// What `peer` is granted (nothing for an identity the configuration does not name).
    public func grant(for peer: String) -> Grant { grants[peer] ?? Grant() }

    /// The identities of the stack's own executables (the names `clinic up` gives their keys): system, no roles.
    public static var stackIdentities: [String] { Stack.services.map(\.name) + ["gateway", "clinic"] }

    /// The default grants: `system` for the stack's own identities, and, on a bus without CURVE (where the broker
    /// can authenticate nobody and every peer is ""), `system` for the anonymous peer, loopback being the only
    /// place such a bus may run. `extra` (from `--peer-roles`) adds to or replaces these.
    public static func standard(plainBus: Bool, extra: PeerRoles = PeerRoles()) -> PeerRoles {
        var grants = Dictionary(uniqueKeysWithValues: stackIdentities.map { ($0, Grant(isSystem: true)) })
        if plainBus { grants[""] = Grant(isSystem: true) }
        grants.merge(extra.grants) { _, new in new }
        return PeerRoles(grants: grants)
    }

    /// Parses `NAME=ROLE,ROLE` entries (roles by their token names, `system` for system standing; `""` names the
    /// anonymous peer of a bus without CURVE); throws naming the first bad entry.
    public static func parse(_ entries: [String]) throws -> PeerRoles {
        var grants: [String: Grant] = [:]
        for entry in entries.flatMap({ $0.split(separator: ";").map(String.init) }) {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw PeerRolesError("'\(entry)' is not NAME=ROLE[,ROLE]") }
            var name = String(parts[0]).trimmingCharacters(in: .whitespaces)
            if name == "\"\"" { name = "" }
            var grant = Grant()
            for word in parts[1].split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !word.isEmpty {
                if word == "system" { grant.isSystem = true; continue }
                guard let role = StaffRole(name: word) else {
                    throw PeerRolesError("'\(word)' in '\(entry)' is not a role (one of: system, \(StaffRole.all.map(\.name).joined(separator: ", ")))")
                }
                grant.roles.insert(role)
            }
            grants[name] = grant
        }
        return PeerRoles(grants: grants)
    }
}

/// A `--peer-roles` entry that does not parse.
public struct PeerRolesError: Error, CustomStringConvertible {
    /// What is wrong, naming the entry.
    public let description: String
    init(_ description: String) { self.description = description }
}

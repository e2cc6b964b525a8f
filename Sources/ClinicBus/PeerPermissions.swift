/// What each authenticated bus peer may do, decided from the broker's authorized keys without any socket: whether
/// it is admitted at all, which bus services it may register workers for, and which event topics it may publish.
///
/// A peer named `reception` may serve `clinic.reception.v1` (the middle word of a three-word service is its owner)
/// and publish `clinic.reception.*` events; the services listed after its key add more of both.
struct PeerPermissions: Sendable, Equatable {
    /// Extra services per admitted name (empty when only its own).
    private let services: [String: Set<String>]
    /// Admitted names as raw bytes, as the broker reads them off each message.
    private let admitted: Set<PeerKey>

    /// The permissions `keys` grant.
    init(_ keys: AuthorizedKeys) {
        var services: [String: Set<String>] = [:]
        for entry in keys.entries { services[entry.name] = Set(entry.services) }
        self.services = services
        admitted = Set(keys.entries.map { PeerKey(Array($0.name.utf8)) })
    }

    /// How many peers are admitted.
    var peerCount: Int { services.count }

    /// Whether `peer` (a name, as bytes) is listed.
    func isAdmitted(_ peer: [UInt8]) -> Bool { admitted.contains(PeerKey(peer)) }

    /// Whether `peer` may register workers for the bus service `service`.
    func mayServe(_ peer: String, service: String) -> Bool {
        guard let extra = services[peer] else { return false }
        return Self.owner(of: service) == peer || extra.contains(service)
    }

    /// Whether `peer` may publish on `topic` (`<org>.<name>.<Event>`): topics of a service it may serve.
    func mayPublish(_ peer: String, topic: String) -> Bool {
        guard let extra = services[peer] else { return false }
        let words = topic.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard words.count == 3, !words[2].isEmpty else { return false }
        if words[1] == peer { return true }
        return extra.contains { service in
            let serviceWords = service.split(separator: ".", omittingEmptySubsequences: false)
            return serviceWords.count >= 2 && serviceWords[0] == words[0] && serviceWords[1] == words[1]
        }
    }

    /// The peer name that owns `service` by default (`clinic.reception.v1` → `reception`); nil for other shapes,
    /// which only an explicit listing grants.
    static func owner(of service: String) -> String? { AuthorizedKeys.owner(ofService: service) }
}

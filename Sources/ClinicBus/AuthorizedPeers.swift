import Synchronization

/// The broker's current list of admitted peers, loaded from its authorized-keys file: read by the ZAP handler at
/// every handshake and by the socket loops when it changes; replaced as a whole by `reload()`.
final class AuthorizedPeers: Sendable {
    /// What one load of the file gave.
    struct Snapshot: Sendable {
        var keys: AuthorizedKeys
        /// Z85 public key → name.
        var names: [String: String]
        var permissions: PeerPermissions

        init(_ keys: AuthorizedKeys) {
            self.keys = keys
            names = Dictionary(uniqueKeysWithValues: keys.entries.map { ($0.publicKey, $0.name) })
            permissions = PeerPermissions(keys)
        }
    }

    /// The authorized-keys file.
    let file: String
    private let snapshot: Mutex<Snapshot>
    private let changes = Atomic<Int>(0)

    /// Loads `file`; throws (naming the file and line) when it cannot be read or parsed.
    init(file: String) throws(CurveKeyError) {
        self.file = file
        snapshot = Mutex(Snapshot(try AuthorizedKeys.load(from: file)))
    }

    /// Reads the file again and, if it parses, puts it in place of the current list (connections already admitted
    /// are checked against the new list by the broker's loops); on an error the current list stays.
    @discardableResult
    func reload() throws(CurveKeyError) -> AuthorizedKeys {
        let keys = try AuthorizedKeys.load(from: file)
        snapshot.withLock { current in
            current = Snapshot(keys)
            // Counted before the lock is let go: a handshake admitted by the new list happens after the count,
            // so the loop that gets the new peer's first message has seen the count too.
            changes.add(1, ordering: .releasing)
        }
        return keys
    }

    /// How many times the list was replaced: a loop that saw another count reads `permissions` again.
    var generation: Int { changes.load(ordering: .acquiring) }

    /// The name listed with the Z85 `publicKey`, if any.
    func name(forPublicKey publicKey: String) -> String? { snapshot.withLock { $0.names[publicKey] } }

    /// What the current list allows.
    var permissions: PeerPermissions { snapshot.withLock { $0.permissions } }
}

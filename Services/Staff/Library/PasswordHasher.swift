import HummingbirdBcrypt
import Synchronization

/// bcrypt at the configured cost (HummingbirdBcrypt): slow on purpose, so call it on a worker thread, never on
/// Swift's cooperative pool.
final class PasswordHasher: Sendable {
    /// log2 of bcrypt's rounds, already validated (4...31).
    let cost: Int
    /// A hash of a random password nobody knows, made on first use: checked against when there is no real hash
    /// to check, so that an unknown account answers as slowly as a wrong password.
    private let decoy = Mutex<String?>(nil)

    /// A hasher at `cost`.
    init(cost: Int) { self.cost = cost }

    /// A new salted hash of `password`.
    func hash(_ password: String) -> String { Bcrypt.hash(password, cost: UInt8(cost)) }

    /// Whether `password` matches `hash`.
    func matches(_ password: String, hash: String) -> Bool { Bcrypt.verify(password, hash: hash) }

    /// Spends the time a check takes without checking anything (for an unknown account, a member who left, one
    /// without a password, or a locked account).
    func spendCheckTime(_ password: String) {
        let decoy = decoy.withLock { decoy in
            if let decoy { return decoy }
            var generator = SystemRandomNumberGenerator()
            let made = hash((0..<4).map { _ in String(generator.next() as UInt64, radix: 36) }.joined())
            decoy = made
            return made
        }
        _ = Bcrypt.verify(password, hash: decoy)
    }
}

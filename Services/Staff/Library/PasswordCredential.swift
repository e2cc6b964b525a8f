import Foundation

/// What a password check needs beyond the member: the stored hash and since when failures count. Kept apart
/// from `MemberRecord` so that the hash never travels further than the check.
struct PasswordCredential: Sendable {
    /// The bcrypt hash; nil while no password is set.
    var hash: String?
    /// Failures before this no longer count towards a lock-out.
    var failuresClearedAt: Date
}

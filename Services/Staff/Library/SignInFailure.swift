/// Why a sign-in (or a password check) failed, as the audit records it.
enum SignInFailure: String, Sendable, CaseIterable {
    /// The password did not match.
    case wrongPassword = "wrong_password"
    /// No member has the account.
    case unknownAccount = "unknown_account"
    /// The account is locked by earlier failures (the password was not checked).
    case locked
    /// The member has left.
    case inactive
    /// No password is set yet.
    case noPassword = "no_password"
    /// ChangePassword was given a wrong current password (it counts towards a lock-out like a sign-in).
    case wrongCurrentPassword = "wrong_current_password"

    /// Whether the failure counts towards a lock-out: only a password that was checked and did not match.
    var countsTowardsLockOut: Bool { self == .wrongPassword || self == .wrongCurrentPassword }
}

/// What a new password must be: long enough, short enough for bcrypt to use all of it, and not the account name.
public enum PasswordPolicy {
    /// Fewest characters.
    public static let minimumCharacters = 8
    /// Most UTF-8 bytes: bcrypt ignores what follows the 72nd, so a longer password would be silently shortened.
    public static let maximumBytes = 72

    /// Why a password is refused.
    public enum Weakness: Error, Equatable, Sendable {
        /// Fewer than `minimumCharacters`.
        case tooShort
        /// More than `maximumBytes` in UTF-8.
        case tooLong
        /// A NUL or other control character (bcrypt's C code would stop at a NUL).
        case controlCharacter
        /// Spaces only.
        case blank
        /// The same as the account name, ignoring case.
        case sameAsAccount

        /// What the member is told (never the password itself).
        public var explanation: String {
            switch self {
            case .tooShort: "must be at least \(PasswordPolicy.minimumCharacters) characters"
            case .tooLong: "must be at most \(PasswordPolicy.maximumBytes) bytes (bcrypt's limit)"
            case .controlCharacter: "must not contain control characters"
            case .blank: "must not be only spaces"
            case .sameAsAccount: "must not be the account name"
            }
        }
    }

    /// Checks a new password for `account`; throws the first weakness found.
    public static func check(_ password: String, account: String) throws(Weakness) {
        guard password.count >= minimumCharacters else { throw .tooShort }
        guard password.utf8.count <= maximumBytes else { throw .tooLong }
        guard !password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .controlCharacter
        }
        guard password.contains(where: { !$0.isWhitespace }) else { throw .blank }
        guard password.lowercased() != account.lowercased() else { throw .sameAsAccount }
    }
}

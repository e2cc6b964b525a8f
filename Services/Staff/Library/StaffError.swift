import ClinicBus
import ClinicService
import Foundation

/// What staff refuses, each mapped to its RPC status; no message carries a password, a hash or a token.
enum StaffError: Error, Equatable, RPCErrorConvertible {
    /// The account name belongs to another member.
    case accountTaken(String)
    /// No member has this id.
    case memberNotFound(UUID)
    /// The member has left already.
    case alreadyLeft(UUID)
    /// A member tried to deactivate themself.
    case cannotDeactivateSelf
    /// A new password breaks the policy; `field` is the request field.
    case weakPassword(field: String, PasswordPolicy.Weakness)
    /// Sign-in refused, for whatever reason: the caller is never told which.
    case signInRefused
    /// ChangePassword's current password is wrong.
    case wrongCurrentPassword
    /// ChangePassword on an account locked by failures (the current password is not checked).
    case accountLocked(until: Date)
    /// The token's member is not on file (a token of another installation).
    case callerNotOnFile

    /// The one message every refused sign-in gets, so that nobody learns which accounts exist.
    static let signInRefusal = "the account or password is wrong, or the account is locked or inactive"

    /// The RPC error a caller gets.
    var rpcError: RPCError {
        switch self {
        case .accountTaken(let account):
            RPCError(.alreadyExists, "account: '\(account)' is already taken", violations: [Self.violation("account", "is already taken")])
        case .memberNotFound(let id):
            .notFound("member \(id.lowercasedText) not found")
        case .alreadyLeft(let id):
            .failedPrecondition("member \(id.lowercasedText) is already deactivated")
        case .cannotDeactivateSelf:
            .failedPrecondition("a member cannot deactivate their own account: ask another admin or the director")
        case .weakPassword(let field, let weakness):
            .invalidArgument(field: field, weakness.explanation)
        case .signInRefused:
            RPCError(.unauthenticated, Self.signInRefusal)
        case .wrongCurrentPassword:
            .invalidArgument(field: "currentPassword", "is not the current password")
        case .accountLocked(let until):
            .failedPrecondition("the account is locked after repeated failures until \(until.formatted(.iso8601)); an admin can reset the password")
        case .callerNotOnFile:
            RPCError(.unauthenticated, "the signed-in member is not on file: sign in again")
        }
    }

    private static func violation(_ field: String, _ description: String) -> FieldViolation {
        var violation = FieldViolation()
        violation.field = field
        violation.description_p = description
        return violation
    }
}

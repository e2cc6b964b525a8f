import ClinicBus
import ClinicService
import JWTKit

/// What a request's staff token says, read after the gate has verified it (sign-out needs its expiry).
enum SignedInToken {
    /// A token the gate refused would never reach a handler; one that does not parse here is a bug.
    struct Unreadable: Error, RPCErrorConvertible {
        var rpcError: RPCError { RPCError(.unauthenticated, "the staff token cannot be read") }
    }

    /// The claims of `token`, which the gate has verified already (the signature is not checked again).
    static func claims(of token: String) throws -> StaffClaims {
        do {
            return try DefaultJWTParser().parse([UInt8](token.utf8), as: StaffClaims.self).payload
        } catch {
            throw Unreadable()
        }
    }
}

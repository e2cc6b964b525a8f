import ClinicBus
import ClinicStore

extension StoreError: RPCErrorConvertible {
    /// The RPC status a database failure maps to; the message never carries row values.
    public var rpcError: RPCError {
        if isUniqueViolation || isExclusionViolation {
            return RPCError(.alreadyExists, "conflicts with an existing record (\(constraint ?? "unique constraint"))")
        }
        if isForeignKeyViolation {
            return RPCError(.failedPrecondition, "refers to a record that does not exist (\(constraint ?? "foreign key"))")
        }
        switch kind {
        case .connection: return RPCError(.unavailable, "the database is not reachable; retry shortly")
        case .serializationFailure: return RPCError(.aborted, "the change collided with another one; retry")
        default: return RPCError(.internal, "database error")
        }
    }
}

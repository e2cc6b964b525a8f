/// A transaction isolation level.
public enum IsolationLevel: String, Sendable {
    /// Each statement sees data committed before it began.
    case readCommitted = "READ COMMITTED"
    /// The transaction sees one snapshot; concurrent updates of the same rows fail with 40001.
    case repeatableRead = "REPEATABLE READ"
    /// As if transactions ran one at a time; conflicts fail with 40001.
    case serializable = "SERIALIZABLE"
}

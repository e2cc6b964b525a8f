/// How PostgreSQL plans the statements a connection prepares (its `plan_cache_mode`).
public enum PlanCaching: Sendable {
    /// The server's setting, by default PostgreSQL's `auto`: plans made for each execution's values until a
    /// generic plan looks no worse. A statement whose generic plan is costed higher than its custom ones is
    /// planned again at every execution.
    case automatic
    /// One generic plan per prepared statement, made once and reused. For services whose statements are written
    /// so that the best plan does not depend on the parameter values (index ranges, not `LIKE` on a parameter).
    case generic

    /// The session setting that selects this mode ("" for the server's own, which a role may have set).
    var setting: String {
        switch self {
        case .automatic: ""
        case .generic: "; SET plan_cache_mode = 'force_generic_plan'"
        }
    }
}

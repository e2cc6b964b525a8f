import ClinicBus
import ClinicProto

extension CallOptions {
    /// The staff id the calls of `staff(…)` act as (what records name as who did it).
    public static let testMemberID = "staff-01"

    /// Options of a call made by member `testMemberID` holding `roles` (a real token signed by `TestStaff`); by
    /// default a supervisor, who may do every front-desk, treatment and settings action.
    public static func staff(_ roles: [StaffRole] = [.supervisor], timeout: Duration, idempotencyKey: String = "") async -> CallOptions {
        var caller = Clinic_Bus_V1_Caller()
        caller.system = "tests"
        return CallOptions(timeout: timeout, caller: caller, idempotencyKey: idempotencyKey, token: await TestStaff.token(roles, memberID: testMemberID))
    }
}

/// What `body` returned, or the `RPCError` it threw (any other error as UNKNOWN).
public func rpcResult<Value>(_ body: () async throws -> Value) async -> Result<Value, RPCError> {
    do {
        return .success(try await body())
    } catch let error as RPCError {
        return .failure(error)
    } catch {
        return .failure(RPCError(.unknown, "\(error)"))
    }
}

extension Result where Failure == RPCError {
    /// OK, or the status code of the error.
    public var code: StatusCode {
        switch self {
        case .success: .ok
        case .failure(let error): error.code
        }
    }

    /// The error, or nil on success.
    public var error: RPCError? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

/// Waits until `condition` holds or `timeout` passes.
public func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

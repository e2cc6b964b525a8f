import Foundation
import Synchronization

/// Limits sign-in attempts per account and per client address over a sliding window, before they reach the staff
/// service (whose lock-out guards each account's password). An attempt over either limit is refused with how long
/// to wait.
public final class SignInLimiter: Sendable {
    /// How many attempts the window allows.
    public struct Limits: Sendable, Equatable {
        /// Attempts per account name in a window.
        public var perAccount: Int
        /// Attempts per client address in a window (a clinic's desks often share one address).
        public var perAddress: Int
        /// The window.
        public var window: Duration

        /// Limits of `perAccount` and `perAddress` attempts per `window`.
        public init(perAccount: Int = 10, perAddress: Int = 60, window: Duration = .seconds(60)) {
            self.perAccount = perAccount
            self.perAddress = perAddress
            self.window = window
        }
    }

    private struct Attempts {
        var byKey: [String: [ContinuousClock.Instant]] = [:]
        var admitted = 0
    }

    /// The limits in force.
    public let limits: Limits
    private let attempts = Mutex(Attempts())

    /// A limiter with `limits`.
    public init(limits: Limits = Limits()) { self.limits = limits }

    /// Records an attempt on `account` from `address` and returns nil, or, when either is over its limit, how long
    /// until the next attempt would be let through (nothing is recorded then).
    public func admit(account: String, address: String, now: ContinuousClock.Instant = .now) -> Duration? {
        let windowStart = now - limits.window
        let keys = [("account:" + account.lowercased(), limits.perAccount), ("address:" + address, limits.perAddress)]
        return attempts.withLock { state -> Duration? in
            var wait: Duration?
            for (key, limit) in keys {
                let recent = (state.byKey[key] ?? []).filter { $0 > windowStart }
                state.byKey[key] = recent
                if recent.count >= limit, let oldest = recent.first {
                    wait = max(wait ?? .zero, oldest + limits.window - now)
                }
            }
            if let wait { return wait }
            for (key, _) in keys { state.byKey[key, default: []].append(now) }
            state.admitted += 1
            // Now and then, forget keys whose attempts have all left the window.
            if state.admitted % 1024 == 0 { state.byKey = state.byKey.filter { !($0.value.last.map { $0 <= windowStart } ?? true) } }
            return nil
        }
    }
}

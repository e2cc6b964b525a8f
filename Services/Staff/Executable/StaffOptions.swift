import ArgumentParser
import Foundation
import Staff

/// Staff's own settings (passwords, tokens, lock-out, key rotation), each with an environment fallback.
struct StaffOptions: ParsableArguments {
    @Option(name: .long, help: "bcrypt cost, log2 of its rounds, 4 to 31 (env CLINIC_STAFF_BCRYPT_COST).")
    var bcryptCost: Int = Self.environment("CLINIC_STAFF_BCRYPT_COST") ?? StaffConfiguration.defaultBcryptCost

    @Option(name: .long, help: "Minutes a staff token is accepted after sign-in, 1 to 10080 (env CLINIC_STAFF_TOKEN_LIFETIME_MINUTES).")
    var tokenLifetimeMinutes: Int = Self.environment("CLINIC_STAFF_TOKEN_LIFETIME_MINUTES") ?? 12 * 60

    @Option(name: .long, help: "Failed sign-ins that lock an account, 1 to 100 (env CLINIC_STAFF_LOCKOUT_THRESHOLD).")
    var lockoutThreshold: Int = Self.environment("CLINIC_STAFF_LOCKOUT_THRESHOLD") ?? 5

    @Option(name: .long, help: "Minutes within which those failures must fall, 1 to 1440 (env CLINIC_STAFF_LOCKOUT_WINDOW_MINUTES).")
    var lockoutWindowMinutes: Int = Self.environment("CLINIC_STAFF_LOCKOUT_WINDOW_MINUTES") ?? 15

    @Option(name: .long, help: "Minutes a locked account stays locked, 1 to 1440 (env CLINIC_STAFF_LOCKOUT_MINUTES).")
    var lockoutMinutes: Int = Self.environment("CLINIC_STAFF_LOCKOUT_MINUTES") ?? 15

    @Option(name: .long, help: "Days before the signing key is replaced by a new one, 1 to 366 (env CLINIC_STAFF_KEY_ROTATION_DAYS).")
    var keyRotationDays: Int = Self.environment("CLINIC_STAFF_KEY_ROTATION_DAYS") ?? 30

    /// The environment variables above, for refusing one that is set but not a number.
    private static let variables = [
        "CLINIC_STAFF_BCRYPT_COST", "CLINIC_STAFF_TOKEN_LIFETIME_MINUTES", "CLINIC_STAFF_LOCKOUT_THRESHOLD",
        "CLINIC_STAFF_LOCKOUT_WINDOW_MINUTES", "CLINIC_STAFF_LOCKOUT_MINUTES", "CLINIC_STAFF_KEY_ROTATION_DAYS",
    ]

    /// Parsed from the command line.
    init() {}

    /// Refuses a value out of range, naming the option and its environment variable.
    func validate() throws {
        for name in Self.variables {
            if let text = ProcessInfo.processInfo.environment[name], !text.isEmpty, Int(text) == nil {
                throw ValidationError("\(name) must be a whole number, not '\(text)'")
            }
        }
        try Self.check(bcryptCost, in: StaffConfiguration.bcryptCosts, "--bcrypt-cost (CLINIC_STAFF_BCRYPT_COST)")
        try Self.check(tokenLifetimeMinutes, in: 1...(7 * 24 * 60), "--token-lifetime-minutes (CLINIC_STAFF_TOKEN_LIFETIME_MINUTES)")
        try Self.check(lockoutThreshold, in: LockOutRule.thresholds, "--lockout-threshold (CLINIC_STAFF_LOCKOUT_THRESHOLD)")
        try Self.check(lockoutWindowMinutes, in: 1...1440, "--lockout-window-minutes (CLINIC_STAFF_LOCKOUT_WINDOW_MINUTES)")
        try Self.check(lockoutMinutes, in: 1...1440, "--lockout-minutes (CLINIC_STAFF_LOCKOUT_MINUTES)")
        try Self.check(keyRotationDays, in: 1...366, "--key-rotation-days (CLINIC_STAFF_KEY_ROTATION_DAYS)")
    }

    /// The configuration these options describe.
    func configuration() throws -> StaffConfiguration {
        let configuration = StaffConfiguration(
            bcryptCost: bcryptCost, tokenLifetime: .seconds(tokenLifetimeMinutes * 60),
            lockOut: LockOutRule(threshold: lockoutThreshold, window: .seconds(lockoutWindowMinutes * 60),
                                 duration: .seconds(lockoutMinutes * 60)),
            keyRotationPeriod: .seconds(keyRotationDays * 86_400))
        do { try configuration.validate() } catch { throw ValidationError(error.description) }
        return configuration
    }

    private static func check(_ value: Int, in range: ClosedRange<Int>, _ name: String) throws {
        guard range.contains(value) else {
            throw ValidationError("\(name) must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
        }
    }

    private static func environment(_ name: String) -> Int? {
        ProcessInfo.processInfo.environment[name].flatMap { Int($0) }
    }
}

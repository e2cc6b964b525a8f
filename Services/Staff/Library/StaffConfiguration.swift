import Foundation

/// How staff hashes passwords, signs tokens, locks accounts and rotates its keys; fixed for the life of a process.
public struct StaffConfiguration: Sendable, Equatable {
    /// bcrypt's cost (log2 of its rounds): 12 takes a few hundred milliseconds on this clinic's machines.
    public var bcryptCost: Int
    /// How long a staff token is accepted after sign-in: one shift by default.
    public var tokenLifetime: Duration
    /// When repeated failures lock an account, and for how long.
    public var lockOut: LockOutRule
    /// How old the current signing key may get before a new one replaces it.
    public var keyRotationPeriod: Duration
    /// How often the rotation job looks at the current key's age.
    public var keyRotationCheckInterval: Duration

    /// The default bcrypt cost.
    public static let defaultBcryptCost = 12
    /// The default token lifetime: twelve hours.
    public static let defaultTokenLifetime: Duration = .seconds(12 * 3600)
    /// The default key rotation period: thirty days.
    public static let defaultKeyRotationPeriod: Duration = .seconds(30 * 86_400)

    /// bcrypt costs the library accepts.
    public static let bcryptCosts = 4...31
    /// Token lifetimes accepted: a minute to a week (tests may go down to a second).
    public static let tokenLifetimes: ClosedRange<Duration> = .seconds(1) ... .seconds(7 * 86_400)
    /// Rotation periods accepted: a minute to a year.
    public static let keyRotationPeriods: ClosedRange<Duration> = .seconds(60) ... .seconds(366 * 86_400)

    /// A configuration; every value has the clinic's default.
    public init(bcryptCost: Int = StaffConfiguration.defaultBcryptCost,
                tokenLifetime: Duration = StaffConfiguration.defaultTokenLifetime,
                lockOut: LockOutRule = LockOutRule(),
                keyRotationPeriod: Duration = StaffConfiguration.defaultKeyRotationPeriod,
                keyRotationCheckInterval: Duration = .seconds(60)) {
        self.bcryptCost = bcryptCost
        self.tokenLifetime = tokenLifetime
        self.lockOut = lockOut
        self.keyRotationPeriod = keyRotationPeriod
        self.keyRotationCheckInterval = keyRotationCheckInterval
    }

    /// Refuses values out of range, naming the setting (bcrypt itself would stop the process on a bad cost).
    public func validate() throws(StaffConfigurationError) {
        guard Self.bcryptCosts.contains(bcryptCost) else {
            throw StaffConfigurationError("bcrypt cost \(bcryptCost) is outside \(Self.bcryptCosts.lowerBound)...\(Self.bcryptCosts.upperBound)")
        }
        guard Self.tokenLifetimes.contains(tokenLifetime) else {
            throw StaffConfigurationError("token lifetime \(tokenLifetime) is outside one second to seven days")
        }
        guard Self.keyRotationPeriods.contains(keyRotationPeriod) else {
            throw StaffConfigurationError("key rotation period \(keyRotationPeriod) is outside one minute to a year")
        }
        guard keyRotationCheckInterval >= .milliseconds(10) else {
            throw StaffConfigurationError("key rotation check interval \(keyRotationCheckInterval) is under 10 ms")
        }
        try lockOut.validate()
    }
}

/// A staff setting out of range.
public struct StaffConfigurationError: Error, Equatable, CustomStringConvertible {
    /// What is wrong, naming the setting.
    public let description: String

    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}

extension Duration {
    /// The duration in seconds, fractions included.
    var seconds: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

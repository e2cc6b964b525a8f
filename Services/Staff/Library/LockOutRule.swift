import Foundation

/// The lock-out rule: `threshold` failed sign-ins within `window` lock the account for `duration`.
public struct LockOutRule: Sendable, Equatable {
    /// Failures that lock the account.
    public var threshold: Int
    /// How close together they must fall, counted from the first of the run.
    public var window: Duration
    /// How long the account stays locked.
    public var duration: Duration

    /// Failure thresholds accepted.
    public static let thresholds = 1...100
    /// Windows and lock durations accepted: a second to a day.
    public static let spans: ClosedRange<Duration> = .seconds(1) ... .seconds(86_400)

    /// The clinic's default: five failures within fifteen minutes lock the account for fifteen minutes.
    public init(threshold: Int = 5, window: Duration = .seconds(15 * 60), duration: Duration = .seconds(15 * 60)) {
        self.threshold = threshold
        self.window = window
        self.duration = duration
    }

    /// Refuses values out of range, naming the setting.
    public func validate() throws(StaffConfigurationError) {
        guard Self.thresholds.contains(threshold) else {
            throw StaffConfigurationError("lock-out threshold \(threshold) is outside \(Self.thresholds.lowerBound)...\(Self.thresholds.upperBound)")
        }
        guard Self.spans.contains(window) else {
            throw StaffConfigurationError("lock-out window \(window) is outside one second to one day")
        }
        guard Self.spans.contains(duration) else {
            throw StaffConfigurationError("lock-out duration \(duration) is outside one second to one day")
        }
    }

    /// Whether a lock set until `lockedUntil` still holds at `now`.
    public func isLocked(until lockedUntil: Date?, at now: Date) -> Bool {
        guard let lockedUntil else { return false }
        return now < lockedUntil
    }

    /// Until when the account locks after a failure at `now`, given the times of the failures that still count
    /// (those since the last success, reset or lock, this one included); nil when it stays open. A failure counts
    /// while it is less than `window` old, so any `threshold` failures that close together lock the account.
    public func lockedUntil(afterFailureAt now: Date, failures: [Date]) -> Date? {
        // No upper bound: a failure just recorded may read back a fraction of a microsecond after `now`.
        let recent = failures.filter { now.timeIntervalSince($0) < window.seconds }
        guard recent.count >= threshold else { return nil }
        return now.addingTimeInterval(duration.seconds)
    }
}

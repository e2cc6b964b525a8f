import Foundation
import Testing
@testable import Staff

/// The lock-out rule on its own: times in, a lock (or none) out.
@Suite("Lock-out rule")
struct LockOutRuleTests {
    let rule = LockOutRule()
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func at(_ minutes: Double) -> Date { start.addingTimeInterval(minutes * 60) }

    @Test func fiveFailuresWithinFifteenMinutesLockForFifteenMinutes() {
        let failures = [at(0), at(3), at(6), at(9), at(12)]
        #expect(rule.lockedUntil(afterFailureAt: at(12), failures: failures) == at(27))
    }

    @Test func fourFailuresDoNotLock() {
        #expect(rule.lockedUntil(afterFailureAt: at(3), failures: [at(0), at(1), at(2), at(3)]) == nil)
    }

    @Test func failuresOlderThanTheWindowDoNotCount() {
        // The first fell 15 minutes before the fifth: only four are within the window.
        let failures = [at(0), at(5), at(10), at(14), at(15)]
        #expect(rule.lockedUntil(afterFailureAt: at(15), failures: failures) == nil)
        // One more a moment later makes five within fifteen minutes (the window slides).
        #expect(rule.lockedUntil(afterFailureAt: at(15.5), failures: failures + [at(15.5)]) == at(30.5))
    }

    @Test func aLockHoldsUntilItsEnd() {
        #expect(rule.isLocked(until: at(15), at: at(14.9)))
        #expect(!rule.isLocked(until: at(15), at: at(15)))
        #expect(!rule.isLocked(until: nil, at: at(0)))
    }

    @Test func theNumbersAreConfigurable() {
        let strict = LockOutRule(threshold: 3, window: .seconds(60), duration: .seconds(3600))
        #expect(strict.lockedUntil(afterFailureAt: at(0.5), failures: [at(0), at(0.25), at(0.5)]) == at(60.5))
        #expect(strict.lockedUntil(afterFailureAt: at(2), failures: [at(0), at(1.5), at(2)]) == nil)
    }

    @Test func outOfRangeSettingsAreRefused() {
        #expect(throws: StaffConfigurationError.self) { try LockOutRule(threshold: 0).validate() }
        #expect(throws: StaffConfigurationError.self) { try LockOutRule(window: .zero).validate() }
        #expect(throws: StaffConfigurationError.self) { try LockOutRule(duration: .seconds(2 * 86_400)).validate() }
        #expect(throws: Never.self) { try LockOutRule().validate() }
    }
}

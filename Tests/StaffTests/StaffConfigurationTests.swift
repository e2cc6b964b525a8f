import Testing
@testable import Staff

/// Staff's settings and the first admin's checks, without a database.
@Suite("Staff configuration")
struct StaffConfigurationTests {
    @Test func theDefaultsAreTheClinics() throws {
        let configuration = StaffConfiguration()
        try configuration.validate()
        #expect(configuration.bcryptCost == 12)
        #expect(configuration.tokenLifetime == .seconds(12 * 3600))
        #expect(configuration.lockOut == LockOutRule(threshold: 5, window: .seconds(900), duration: .seconds(900)))
        #expect(configuration.keyRotationPeriod == .seconds(30 * 86_400))
    }

    @Test func outOfRangeValuesAreRefusedByName() {
        #expect(throws: StaffConfigurationError.self) { try StaffConfiguration(bcryptCost: 3).validate() }
        #expect(throws: StaffConfigurationError.self) { try StaffConfiguration(bcryptCost: 32).validate() }
        #expect(throws: StaffConfigurationError.self) { try StaffConfiguration(tokenLifetime: .zero).validate() }
        #expect(throws: StaffConfigurationError.self) { try StaffConfiguration(tokenLifetime: .seconds(8 * 86_400)).validate() }
        #expect(throws: StaffConfigurationError.self) { try StaffConfiguration(keyRotationPeriod: .seconds(1)).validate() }
        do {
            try StaffConfiguration(bcryptCost: 40).validate()
        } catch {
            #expect(error.description.contains("bcrypt cost 40"))
        }
    }

    @Test func theFirstAdminNeedsAGoodAccountNameAndPassword() {
        #expect(throws: AdminBootstrap.Refusal.badAccount) { try AdminBootstrap.check(account: "Admin", name: "管理员", password: "long-enough") }
        #expect(throws: AdminBootstrap.Refusal.badAccount) { try AdminBootstrap.check(account: ".admin", name: "管理员", password: "long-enough") }
        #expect(throws: AdminBootstrap.Refusal.badName) { try AdminBootstrap.check(account: "admin", name: "  ", password: "long-enough") }
        #expect(throws: AdminBootstrap.Refusal.weakPassword(.tooShort)) {
            try AdminBootstrap.check(account: "admin", name: "管理员", password: "short")
        }
        #expect(throws: Never.self) { try AdminBootstrap.check(account: "admin", name: "管理员", password: "long-enough") }
    }
}

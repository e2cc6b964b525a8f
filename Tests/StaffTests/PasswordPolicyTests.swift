import Testing
@testable import Staff

/// The password policy on its own.
@Suite("Password policy")
struct PasswordPolicyTests {
    @Test func aLongEnoughPasswordPasses() throws {
        try PasswordPolicy.check("correct-horse-battery", account: "li.desk")
        try PasswordPolicy.check("密码是八个字符啊", account: "li.desk")
    }

    @Test func shortLongBlankAndControlPasswordsAreRefused() {
        #expect(throws: PasswordPolicy.Weakness.tooShort) { try PasswordPolicy.check("seven77", account: "a1") }
        #expect(throws: PasswordPolicy.Weakness.tooLong) { try PasswordPolicy.check(String(repeating: "x", count: 73), account: "a1") }
        // 25 Chinese characters are 75 bytes: past what bcrypt reads.
        #expect(throws: PasswordPolicy.Weakness.tooLong) { try PasswordPolicy.check(String(repeating: "密", count: 25), account: "a1") }
        #expect(throws: PasswordPolicy.Weakness.blank) { try PasswordPolicy.check("          ", account: "a1") }
        #expect(throws: PasswordPolicy.Weakness.controlCharacter) { try PasswordPolicy.check("abc\u{0}defgh", account: "a1") }
    }

    @Test func theAccountNameIsNotAPassword() {
        #expect(throws: PasswordPolicy.Weakness.sameAsAccount) { try PasswordPolicy.check("Li.Desk.01", account: "li.desk.01") }
    }

    @Test func explanationsNeverRepeatThePassword() {
        let weaknesses: [PasswordPolicy.Weakness] = [.tooShort, .tooLong, .controlCharacter, .blank, .sameAsAccount]
        for weakness in weaknesses {
            let error = StaffError.weakPassword(field: "newPassword", weakness).rpcError
            #expect(error.code == .invalidArgument)
            #expect(error.violations.first?.field == "newPassword")
        }
    }
}

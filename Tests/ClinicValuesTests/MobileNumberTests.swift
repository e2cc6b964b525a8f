import ClinicValues
import Testing

@Suite("Mobile numbers")
struct MobileNumberTests {
    @Test(arguments: ["13812345678", "138 1234 5678", "138-1234-5678", "(138) 1234 5678", "+86 138 1234 5678", "8613812345678",
                      "138\u{3000}1234\u{3000}5678", " 13812345678\n"])
    func acceptsWhatPeopleType(_ typed: String) {
        #expect(MobileNumber(typed)?.digits == "13812345678")
    }

    @Test(arguments: ["", "12345", "23812345678", "12812345678", "1381234567", "138123456789", "1381234567a", "１３８１２３４５６７８",
                      "+1 138 1234 5678", "+8613812345678x"])
    func refusesWhatIsNotAMainlandMobile(_ typed: String) {
        #expect(MobileNumber(typed) == nil)
    }

    @Test func isNeverPrintedInFull() {
        let number = MobileNumber("13812345678")
        #expect(number?.masked == "138****5678")
        #expect("\(number!)" == "138****5678")
        #expect(MobileNumber.mask("123") == "***")
    }
}

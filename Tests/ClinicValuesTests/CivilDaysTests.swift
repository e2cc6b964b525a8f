import ClinicValues
import Foundation
import Testing

@Suite("Civil days")
struct CivilDaysTests {
    @Test func agreesWithFoundationsGregorianCalendarAcrossCenturies() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        // Every 37th day from 1700 to 2300, both directions of 1970, all leap rules (1900 no, 2000 yes).
        for days in stride(from: Int64(-98_000), through: 120_000, by: 37) {
            let parts = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(days) * 86_400))
            let date = CivilDays.date(days)
            #expect(date.year == Int64(parts.year ?? 0) && date.month == Int64(parts.month ?? 0) && date.day == Int64(parts.day ?? 0))
            #expect(CivilDays.number(year: date.year, month: date.month, day: date.day) == days)
        }
        #expect(CivilDays.number(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilDays.number(year: 2000, month: 3, day: 1) - CivilDays.number(year: 2000, month: 2, day: 28) == 2)
        #expect(CivilDays.number(year: 1900, month: 3, day: 1) - CivilDays.number(year: 1900, month: 2, day: 28) == 1)
        #expect(CivilDays.floorDivide(-1, 86_400) == -1 && CivilDays.floorDivide(86_399, 86_400) == 0)
    }
}

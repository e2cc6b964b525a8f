import ClinicService
import Foundation
import Testing


/// Clinic-local dates and times ⇄ UTC instants (storage is UTC; the clinic lives in Asia/Shanghai).
@Suite("Clinic clock")
struct ClinicClockTests {
    let clock = ClinicClock(timeZone: TimeZone(identifier: "Asia/Shanghai")!)

    func utc(_ text: String) throws -> Date { try #require(ISO8601DateFormatter().date(from: text)) }

    @Test func eightOClockLocalIsMidnightUTC() throws {
        let date = ClinicDate(year: 2026, month: 11, day: 24)
        #expect(clock.instant(date, TimeOfDay(hour: 8, minute: 0)) == (try utc("2026-11-24T00:00:00Z")))
        // 07:30 local is still the previous UTC day.
        #expect(clock.instant(date, TimeOfDay(hour: 7, minute: 30)) == (try utc("2026-11-23T23:30:00Z")))
        #expect(clock.display(try utc("2026-11-23T23:30:00Z")) == "2026-11-24 07:30")
    }

    @Test func aDateStartsAtLocalMidnight() throws {
        let span = clock.span(of: ClinicDate(year: 2026, month: 11, day: 24))
        #expect(span.start == (try utc("2026-11-23T16:00:00Z")))
        #expect(span.end == (try utc("2026-11-24T16:00:00Z")))
        #expect(clock.date(of: try utc("2026-11-23T16:30:00Z")) == ClinicDate(year: 2026, month: 11, day: 24))
        #expect(clock.date(of: try utc("2026-11-23T15:59:00Z")) == ClinicDate(year: 2026, month: 11, day: 23))
    }

    @Test func endOfDayIsTheNextMidnight() throws {
        let date = ClinicDate(year: 2026, month: 12, day: 31)
        #expect(clock.instant(date, TimeOfDay(minutes: 1440)) == clock.startOfDay(ClinicDate(year: 2027, month: 1, day: 1)))
    }

    @Test func datesParseAndCount() {
        #expect(ClinicDate(iso: "2026-02-29") == nil)
        #expect(ClinicDate(iso: "2028-02-29") == ClinicDate(year: 2028, month: 2, day: 29))
        #expect(ClinicDate(iso: "2026/11/24") == nil)
        for text in ["2026-1-024", "+026-11-24", "2026-13-01", "2026-11-00", "2026-11-31", "２０２６-11-24", "2026-11-2a", " 2026-11-24", ""] {
            #expect(ClinicDate(iso: text) == nil, "\(text)")
        }
        #expect(ClinicDate(iso: "1900-12-31") == ClinicDate(year: 1900, month: 12, day: 31))
        #expect(ClinicDate(iso: String("x2026-11-24".dropFirst())) == ClinicDate(year: 2026, month: 11, day: 24))
        #expect(ClinicDate(year: 2026, month: 12, day: 31).adding(days: 1) == ClinicDate(year: 2027, month: 1, day: 1))
        #expect(ClinicDate(year: 2026, month: 3, day: 1).adding(days: -1) == ClinicDate(year: 2026, month: 2, day: 28))
        #expect(ClinicDate(year: 2026, month: 11, day: 1).days(until: ClinicDate(year: 2026, month: 12, day: 1)) == 30)
        // 2026-11-23 is a Monday, 2026-11-29 a Sunday.
        #expect(ClinicDate(year: 2026, month: 11, day: 23).isoWeekday == 1)
        #expect(ClinicDate(year: 2026, month: 11, day: 29).isoWeekday == 7)
        #expect(ClinicDate(year: 1970, month: 1, day: 1).isoWeekday == 4)
    }

    @Test func timesOfDayParseStrictly() {
        #expect(TimeOfDay("09:30")?.minutes == 570)
        #expect(TimeOfDay("24:00")?.minutes == 1440)
        #expect(TimeOfDay("24:01") == nil)
        #expect(TimeOfDay("9:30") == nil)
        #expect(TimeOfDay("09:60") == nil)
        for bad in ["", "0930", "09:3", "09:300", "09-30", "+9:30", "09:3x", "０9:30", "09:30 "] {
            #expect(TimeOfDay(bad) == nil, "\(bad)")
        }
        #expect(TimeOfDay("00:00")?.minutes == 0)
        #expect(TimeOfDay("23:59")?.minutes == 1439)
        #expect(TimeOfDay("12:00-13:00".prefix(5))?.minutes == 720)
        #expect(TimeOfDay(minutes: 545).description == "09:05")
    }
}

import ClinicService
import Foundation
import Testing
@testable import Scheduling

@Suite("Roster calculator")
struct RosterTests {
    let clock = ClinicClock(timeZone: TimeZone(identifier: "Asia/Shanghai")!)
    var calculator: RosterCalculator { RosterCalculator(clock: clock) }
    /// A Tuesday.
    let tuesday = ClinicDate(year: 2026, month: 11, day: 24)

    func hours(_ start: String, _ end: String, breaks: [(String, String)] = []) throws -> WorkingHours {
        try WorkingHours.parse(start: start, end: end, breaks: breaks.map { ($0.0, $0.1) }, field: "d").get()
    }

    func local(_ day: EffectiveDay) -> [String] { day.localWorking.map(\.description) }

    @Test func weeklyHoursMinusBreaks() throws {
        let week = WeeklyRoster(days: [2: try hours("09:00", "17:30", breaks: [("12:00", "13:30")])])
        let day = calculator.day(tuesday, weekly: week, override: nil, leave: [])
        #expect(local(day) == ["09:00–12:00", "13:30–17:30"])
        #expect(day.working.first?.start == clock.instant(tuesday, TimeOfDay(hour: 9, minute: 0)))
        #expect(day.note == "")
        // Wednesday is not in the roster: a day off.
        #expect(calculator.day(tuesday.adding(days: 1), weekly: week, override: nil, leave: []).working.isEmpty)
    }

    @Test func anOverrideReplacesTheWeek() throws {
        let week = WeeklyRoster(days: [2: try hours("09:00", "17:00")])
        let shorter = calculator.day(tuesday, weekly: week, override: .hours(try hours("13:00", "15:00")), leave: [])
        #expect(local(shorter) == ["13:00–15:00"])
        #expect(shorter.note == "override")
        let off = calculator.day(tuesday, weekly: week, override: .dayOff, leave: [])
        #expect(off.working.isEmpty)
        #expect(off.note == "day off")
        // An override can open a day the week leaves off.
        #expect(local(calculator.day(tuesday.adding(days: 5), weekly: week, override: .hours(try hours("09:00", "12:00")), leave: [])) == ["09:00–12:00"])
    }

    @Test func leaveCutsTheWorkingTime() throws {
        let week = WeeklyRoster(days: [2: try hours("09:00", "17:00", breaks: [("12:00", "13:00")])])
        let leave = TimeSpan(start: clock.instant(tuesday, TimeOfDay(hour: 10, minute: 0)),
                             end: clock.instant(tuesday, TimeOfDay(hour: 14, minute: 0)))
        let day = calculator.day(tuesday, weekly: week, override: nil, leave: [leave])
        #expect(local(day) == ["09:00–10:00", "14:00–17:00"])
        #expect(day.note == "leave")
        let wholeDay = clock.span(of: tuesday)
        #expect(calculator.day(tuesday, weekly: week, override: nil, leave: [wholeDay]).working.isEmpty)
        // Leave on another day changes nothing.
        let other = clock.span(of: tuesday.adding(days: 1))
        #expect(calculator.day(tuesday, weekly: week, override: nil, leave: [other]).note == "")
    }

    @Test func hoursAreValidatedFieldByField() {
        func fields(_ start: String, _ end: String, _ breaks: [(String, String)]) -> [String] {
            switch WorkingHours.parse(start: start, end: end, breaks: breaks.map { ($0.0, $0.1) }, field: "days[0]") {
            case .success: []
            case .failure(let list): list.violations.map(\.field)
            }
        }
        #expect(fields("09:00", "17:00", [("12:00", "13:00")]) == [])
        #expect(fields("9:00", "17:00", []) == ["days[0].hours.start"])
        #expect(fields("17:00", "09:00", []) == ["days[0].hours.end"])
        #expect(fields("09:00", "17:00", [("08:00", "10:00")]) == ["days[0].breaks[0]"])
        #expect(fields("09:00", "17:00", [("12:00", "13:00"), ("12:30", "14:00")]) == ["days[0].breaks[1]"])
        #expect(fields("09:00", "17:00", [("13:00", "12:00")]) == ["days[0].breaks[0].end"])
    }
}

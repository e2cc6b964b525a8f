import ClinicService
import ClinicValues
import Foundation
import Testing
@testable import Reception

/// The first-visit rule: never treated, within a year, and back after more than a year for the same or another tooth
/// or treatment; a year measured in clinic dates.
@Suite("First-visit rule")
struct FirstVisitRuleTests {
    static func tooth(_ number: Int) -> ToothNumber { ToothNumber(number)! }

    static func past(_ date: ClinicDate, _ kind: TreatmentKind = .filling, teeth: [Int] = [36], doctor: String = "d1") -> PastTreatment {
        PastTreatment(date: date, kind: kind, teeth: teeth.map(tooth), doctorID: doctor, doctorName: "Dr \(doctor)")
    }

    @Test func neverTreatedIsAFirstVisit() {
        let suggestion = FirstVisitRule.suggest(history: [], today: ClinicDate(year: 2026, month: 12, day: 7))
        #expect(suggestion.kind == .first)
        #expect(suggestion.reason == "never treated here")
        #expect(suggestion.lastTreatedOn == nil)
    }

    @Test(arguments: [(-1, VisitKind.return), (0, .return), (1, .first)])
    func aYearIsCountedInClinicDates(offset: Int, expected: VisitKind) {
        // Treated 2025-12-07; "today" is a year on, one day either side. A different tooth: the rule's answer turns
        // only on the year.
        let treated = ClinicDate(year: 2025, month: 12, day: 7)
        let today = ClinicDate(year: 2026, month: 12, day: 7).adding(days: offset)
        let suggestion = FirstVisitRule.suggest(history: [Self.past(treated)], today: today, teeth: [Self.tooth(11)])
        #expect(suggestion.kind == expected, "\(today)")
    }

    @Test func theYearIsTheClinicsNotUTCs() {
        // 17:00 UTC on 6 December 2025 is already 7 December in Shanghai: the treatment's clinic date is the 7th, so
        // 7 December 2026 is still within the year, and the 8th is not.
        let clock = ClinicClock(timeZone: TimeZone(identifier: "Asia/Shanghai")!)
        let doneAt = ISO8601DateFormatter().date(from: "2025-12-06T17:00:00Z")!
        let treated = clock.date(of: doneAt)
        #expect(treated == ClinicDate(year: 2025, month: 12, day: 7))
        let history = [Self.past(treated)]
        let lastDay = clock.date(of: ISO8601DateFormatter().date(from: "2026-12-07T15:59:00Z")!)
        let nextDay = clock.date(of: ISO8601DateFormatter().date(from: "2026-12-07T16:00:00Z")!)
        #expect(FirstVisitRule.suggest(history: history, today: lastDay, teeth: [Self.tooth(11)]).kind == .return)
        #expect(FirstVisitRule.suggest(history: history, today: nextDay, teeth: [Self.tooth(11)]).kind == .first)
    }

    @Test func the29thOfFebruaryCountsAYearTo28February() {
        let leap = ClinicDate(year: 2024, month: 2, day: 29)
        #expect(leap.addingYears(1) == ClinicDate(year: 2025, month: 2, day: 28))
        let history = [Self.past(leap)]
        #expect(FirstVisitRule.suggest(history: history, today: ClinicDate(year: 2025, month: 2, day: 28), teeth: [Self.tooth(11)]).kind == .return)
        #expect(FirstVisitRule.suggest(history: history, today: ClinicDate(year: 2025, month: 3, day: 1), teeth: [Self.tooth(11)]).kind == .first)
    }

    @Test func afterMoreThanAYearOnlyTheSameToothAndTreatmentIsAReturn() {
        let history = [Self.past(ClinicDate(year: 2024, month: 5, day: 1), .rootCanalInProgress, teeth: [36])]
        let today = ClinicDate(year: 2026, month: 12, day: 7)
        // Same tooth, same treatment (another stage of it): a return visit.
        #expect(FirstVisitRule.suggest(history: history, today: today, teeth: [Self.tooth(36)], treatment: .rootCanalObturated).kind == .return)
        // Same tooth, treatment not known: still the same problem.
        #expect(FirstVisitRule.suggest(history: history, today: today, teeth: [Self.tooth(36)]).kind == .return)
        // A different tooth, or a different treatment: a first visit.
        #expect(FirstVisitRule.suggest(history: history, today: today, teeth: [Self.tooth(46)]).kind == .first)
        #expect(FirstVisitRule.suggest(history: history, today: today, teeth: [Self.tooth(36)], treatment: .extraction).kind == .first)
        // Nothing to match on: a first visit, and the reason says why.
        let unknown = FirstVisitRule.suggest(history: history, today: today)
        #expect(unknown.kind == .first)
        #expect(unknown.reason.contains("no tooth or treatment given"))
    }

    @Test func theOriginalDoctorIsWhoLastTreatedTheToothWithinAYear() {
        let history = [Self.past(ClinicDate(year: 2026, month: 3, day: 1), teeth: [36], doctor: "early"),
                       Self.past(ClinicDate(year: 2026, month: 9, day: 1), teeth: [36, 37], doctor: "late"),
                       Self.past(ClinicDate(year: 2026, month: 10, day: 1), teeth: [11], doctor: "other"),
                       Self.past(ClinicDate(year: 2025, month: 1, day: 1), teeth: [46], doctor: "old")]
        let today = ClinicDate(year: 2026, month: 12, day: 7)
        #expect(FirstVisitRule.originalDoctor(history: history, today: today, teeth: [Self.tooth(36)])?.id == "late")
        #expect(FirstVisitRule.originalDoctor(history: history, today: today, teeth: [Self.tooth(46)]) == nil)
        #expect(FirstVisitRule.originalDoctor(history: history, today: today, teeth: []) == nil)
        #expect(FirstVisitRule.suggest(history: history, today: today, teeth: [Self.tooth(37)]).originalDoctor?.id == "late")
    }
}

import ClinicService
import ClinicValues
import Foundation
import Testing
@testable import FollowUp

/// The plan generator over the default rule table: every treatment kind's points (DOMAIN.md §4), the checkup
/// invitation everyone gets, month ends, 29 February and the clinic's time zone.
@Suite("Follow-up plan generator")
struct FollowUpPlannerTests {
    static let clock = ClinicClock(timeZone: TimeZone(identifier: "Asia/Shanghai")!)

    /// 10:00 clinic time on `date`.
    static func at(_ date: String, _ time: String = "10:00") -> Date {
        clock.instant(ClinicDate(iso: date)!, TimeOfDay(time)!)
    }

    /// The plan's clinical calls for one treatment kind, as (due date, caller) pairs, the checkup left out.
    static func clinical(_ kind: String, on date: String = "2026-03-10", teeth: [Int] = [36]) -> [(String, CallerKind)] {
        FollowUpPlanner.plan([TreatmentGiven(kind: kind, teeth: teeth)], treatedAt: at(date), rules: DefaultRules.all, clock: clock)
            .filter { $0.kind == "clinical" }.map { ($0.dueDate.description, $0.caller) }
    }

    static let doctor = CallerKind.treatingDoctor
    static let service = CallerKind.customerService

    @Test func extraction() {
        let plan = FollowUpPlanner.plan([TreatmentGiven(kind: "extraction", teeth: [38])], treatedAt: Self.at("2026-03-10", "10:00"),
                                        rules: DefaultRules.all, clock: Self.clock)
        // +3 hours the same day, at an instant; then day 1, 3 and 90.
        #expect(plan.first?.dueAt == Self.at("2026-03-10", "13:00"))
        #expect(plan.first?.dueDate == ClinicDate(iso: "2026-03-10"))
        #expect(Self.clinical("extraction").map(\.0) == ["2026-03-10", "2026-03-11", "2026-03-13", "2026-06-08"])
        #expect(Self.clinical("extraction").map(\.1) == [Self.doctor, Self.doctor, Self.doctor, Self.service])
        #expect(plan.filter { $0.kind == "clinical" }.last?.endsSeries == true)
        #expect(plan.allSatisfy { $0.kind == "checkup_invitation" || $0.teeth == [38] })
    }

    @Test func filling() {
        #expect(Self.clinical("filling").map(\.0) == ["2026-03-11", "2026-06-08", "2026-09-06", "2027-03-05"])
        #expect(Self.clinical("filling").map(\.1) == [Self.doctor, Self.service, Self.service, Self.service])
    }

    @Test func rootCanalInProgressAndObturated() {
        #expect(Self.clinical("root_canal_in_progress").map(\.0) == ["2026-03-11"])
        #expect(Self.clinical("root_canal_obturated").map(\.0) == ["2026-03-13", "2026-03-25"])
        #expect(Self.clinical("root_canal_obturated").map(\.1) == [Self.doctor, Self.doctor])
    }

    @Test func crownBridgeDenture() {
        #expect(Self.clinical("crown_bridge_denture").map(\.0)
                == ["2026-03-11", "2026-03-17", "2026-04-09", "2026-06-08", "2026-09-06", "2027-03-05"])
        #expect(Self.clinical("crown_bridge_denture").map(\.1) == [Self.doctor, Self.doctor, Self.doctor, Self.service, Self.service, Self.service])
    }

    @Test func cleaningAndPeriodontal() {
        #expect(Self.clinical("cleaning", teeth: []).map(\.0) == ["2026-03-11", "2026-09-06"])
        #expect(Self.clinical("periodontal").map(\.0) == ["2026-03-11", "2026-04-09", "2026-06-08"])
    }

    @Test func implantMonthlyUntilTheCrownThenTheCrownsSeries() {
        // Surgery 31 January: day 1, then monthly (each a month end when the month is shorter), each ended by the crown.
        let surgery = FollowUpPlanner.plan([TreatmentGiven(kind: "implant_surgery", teeth: [46])], treatedAt: Self.at("2026-01-31"),
                                           rules: DefaultRules.all, clock: Self.clock).filter { $0.kind == "clinical" }
        #expect(surgery.map(\.dueDate.description)
                == ["2026-02-01", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30", "2026-07-31"])
        #expect(surgery.dropFirst().allSatisfy { $0.untilKind == "implant_crown" })
        #expect(surgery.first?.untilKind == nil)
        #expect(Self.clinical("implant_crown", on: "2026-06-15").map(\.0)
                == ["2026-07-15", "2026-09-15", "2026-12-15", "2027-03-15", "2027-06-15"])
    }

    @Test func orthodonticsAndOther() {
        #expect(Self.clinical("orthodontic_surgical_step").map(\.0) == ["2026-03-11"])
        #expect(Self.clinical("orthodontic_retainer").map(\.0) == ["2026-03-17", "2026-06-08", "2026-09-06", "2027-03-05"])
        #expect(Self.clinical("other").map(\.0) == ["2026-03-11"])
    }

    @Test func everyoneGetsOneCheckupInvitationWithinThreeToSixMonths() {
        let plan = FollowUpPlanner.plan([TreatmentGiven(kind: "filling", teeth: [36]), TreatmentGiven(kind: "cleaning", teeth: [])],
                                        treatedAt: Self.at("2026-08-31"), rules: DefaultRules.all, clock: Self.clock)
        let invitations = plan.filter { $0.kind == "checkup_invitation" }
        #expect(invitations.count == 1)
        #expect(invitations.first?.dueDate == ClinicDate(iso: "2026-11-30"))
        #expect(invitations.first?.dueBy == ClinicDate(iso: "2027-02-28"))
        #expect(invitations.first?.caller == .customerService)
    }

    @Test func twentyNinthOfFebruary() {
        // 29 February 2028 + 12 months is 28 February 2029; + 360 days counts days.
        #expect(Self.clinical("implant_crown", on: "2028-02-29").map(\.0).last == "2029-02-28")
        #expect(Self.clinical("filling", on: "2028-02-29").map(\.0) == ["2028-03-01", "2028-05-29", "2028-08-27", "2029-02-23"])
        #expect(ClinicDate(iso: "2024-02-29")!.adding(months: 12) == ClinicDate(iso: "2025-02-28"))
        #expect(ClinicDate(iso: "2024-01-31")!.adding(months: 1) == ClinicDate(iso: "2024-02-29"))
        #expect(ClinicDate(iso: "2026-12-31")!.adding(months: 2) == ClinicDate(iso: "2027-02-28"))
        #expect(ClinicDate(iso: "2026-03-31")!.adding(months: -1) == ClinicDate(iso: "2026-02-28"))
    }

    @Test func daysCountFromTheClinicDateNotUTC() {
        // 23:30 clinic time on 10 March is 15:30 UTC the same day; 00:30 on 11 March is still 10 March in UTC.
        let late = Self.at("2026-03-11", "00:30")
        let plan = FollowUpPlanner.plan([TreatmentGiven(kind: "filling", teeth: [36])], treatedAt: late, rules: DefaultRules.all, clock: Self.clock)
        #expect(plan.first?.dueDate == ClinicDate(iso: "2026-03-12"))
        // +3 hours after 22:00 falls on the next clinic day.
        let evening = FollowUpPlanner.plan([TreatmentGiven(kind: "extraction", teeth: [48])], treatedAt: Self.at("2026-03-10", "22:00"),
                                           rules: DefaultRules.all, clock: Self.clock)
        #expect(evening.first?.dueDate == ClinicDate(iso: "2026-03-11"))
    }

    @Test func sameKindTwiceIsOneSeriesWithBothTeeth() {
        let plan = FollowUpPlanner.plan([TreatmentGiven(kind: "filling", teeth: [36]), TreatmentGiven(kind: "filling", teeth: [37, 36])],
                                        treatedAt: Self.at("2026-03-10"), rules: DefaultRules.all, clock: Self.clock)
        #expect(plan.filter { $0.kind == "clinical" }.count == 4)
        #expect(plan.first?.teeth == [36, 37])
    }

    @Test func inactiveRulesAndNoTreatmentsPlanNothing() {
        let inactive = DefaultRules.all.map { rule -> FollowUpRule in var rule = rule; rule.active = false; return rule }
        #expect(FollowUpPlanner.plan([TreatmentGiven(kind: "filling", teeth: [36])], treatedAt: Self.at("2026-03-10"), rules: inactive,
                                     clock: Self.clock).isEmpty)
        #expect(FollowUpPlanner.plan([], treatedAt: Self.at("2026-03-10"), rules: DefaultRules.all, clock: Self.clock).isEmpty)
    }

    @Test func theDefaultsAreDomainsTable() {
        // Every kind the contract knows has at least its day-1 (or first) point, and one every-patient point exists.
        let kinds = Set(DefaultRules.all.compactMap(\.treatmentKind))
        #expect(kinds == Set(StoredNames.treatmentKinds.map(\.1)))
        #expect(DefaultRules.all.filter { $0.treatmentKind == nil }.count == 1)
        #expect(Set(DefaultRules.all.map(\.id)).count == DefaultRules.all.count)
        // First-month calls go to the doctor, later ones to customer service.
        for rule in DefaultRules.all where rule.treatmentKind != nil {
            let days = rule.unit == .months ? rule.offset * 30 : rule.unit == .days ? rule.offset : 0
            #expect((days <= 30) == (rule.caller == .treatingDoctor), "\(rule.purpose)")
        }
    }

    @Test func callerChoice() {
        let doctor = UUID()
        let consultant = UUID()
        let busy = CallerCandidate(id: UUID(), openTasks: 9)
        let free = CallerCandidate(id: UUID(), openTasks: 2)
        #expect(CallerChoice.choose(.treatingDoctor, doctorMember: doctor, consultant: consultant, customerService: [busy, free])
                == TaskAssignment(assigneeID: doctor, team: .clinical))
        #expect(CallerChoice.choose(.treatingDoctor, doctorMember: nil, consultant: nil, customerService: [])
                == TaskAssignment(assigneeID: nil, team: .clinical))
        #expect(CallerChoice.choose(.customerService, doctorMember: doctor, consultant: consultant, customerService: [busy, free])
                == TaskAssignment(assigneeID: consultant, team: .consultants))
        #expect(CallerChoice.choose(.customerService, doctorMember: doctor, consultant: nil, customerService: [busy, free])
                == TaskAssignment(assigneeID: free.id, team: .customerService))
        #expect(CallerChoice.choose(.customerService, doctorMember: nil, consultant: nil, customerService: [])
                == TaskAssignment(assigneeID: nil, team: .customerService))
    }
}

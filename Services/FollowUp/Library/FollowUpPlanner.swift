import ClinicService
import ClinicValues
import Foundation

/// A treatment as the plan sees it: its stored kind and the teeth.
struct TreatmentGiven: Sendable, Equatable {
    var kind: String
    var teeth: [Int]
}

/// One call a plan makes.
struct PlannedCall: Sendable, Equatable {
    var ruleID: UUID
    /// `clinical`, or `checkup_invitation` for the point every patient gets.
    var kind: String
    var treatmentKind: String?
    var teeth: [Int]
    var purpose: String
    /// The clinic day it is due; `dueAt` when it is due at an instant (an offset in hours).
    var dueDate: ClinicDate
    var dueAt: Date?
    /// The last clinic day it may be done.
    var dueBy: ClinicDate
    var caller: CallerKind
    var untilKind: String?
    var endsSeries: Bool
}

/// Makes a treatment's follow-up plan from the rule table: a pure function of the treatments, the treatment time,
/// the rules and the clinic's time zone.
public enum FollowUpPlanner {
    /// The calls the active `rules` give `treatments` done at `treatedAt`: each kind once (teeth of the same kind
    /// together), then the every-patient points once, in due order. Offsets in days and months count clinic days from
    /// the treatment's clinic date (a month later on a shorter month is its last day); hours count from the instant.
    static func plan(_ treatments: [TreatmentGiven], treatedAt: Date, rules: [FollowUpRule], clock: ClinicClock) -> [PlannedCall] {
        guard !treatments.isEmpty else { return [] }
        var kinds: [String] = []
        var teeth: [String: Set<Int>] = [:]
        for treatment in treatments {
            if teeth[treatment.kind] == nil { kinds.append(treatment.kind) }
            teeth[treatment.kind, default: []].formUnion(treatment.teeth)
        }
        let active = rules.filter(\.active)
        var calls: [PlannedCall] = []
        for kind in kinds {
            for rule in active where rule.treatmentKind == kind {
                calls.append(call(rule, kind: "clinical", treatmentKind: kind, teeth: (teeth[kind] ?? []).sorted(), treatedAt: treatedAt, clock: clock))
            }
        }
        for rule in active where rule.treatmentKind == nil {
            calls.append(call(rule, kind: "checkup_invitation", treatmentKind: nil, teeth: [], treatedAt: treatedAt, clock: clock))
        }
        return calls.enumerated().sorted { left, right in
            let (a, b) = (left.element, right.element)
            if a.dueDate != b.dueDate { return a.dueDate < b.dueDate }
            let (atA, atB) = (a.dueAt ?? clock.startOfDay(a.dueDate.adding(days: 1)), b.dueAt ?? clock.startOfDay(b.dueDate.adding(days: 1)))
            return atA != atB ? atA < atB : left.offset < right.offset
        }.map(\.element)
    }

    /// The call one rule makes.
    static func call(_ rule: FollowUpRule, kind: String, treatmentKind: String?, teeth: [Int], treatedAt: Date,
                     clock: ClinicClock) -> PlannedCall {
        let (dueDate, dueAt) = due(rule.offset, rule.unit, from: treatedAt, clock: clock)
        let dueBy = rule.windowEnd > rule.offset ? due(rule.windowEnd, rule.unit, from: treatedAt, clock: clock).date : dueDate
        return PlannedCall(ruleID: rule.id, kind: kind, treatmentKind: treatmentKind, teeth: teeth.sorted(), purpose: rule.purpose,
                           dueDate: dueDate, dueAt: dueAt, dueBy: dueBy, caller: rule.caller, untilKind: rule.untilKind,
                           endsSeries: rule.endsSeries)
    }

    /// The clinic day (and, for hours, the instant) `offset` units after `start`.
    static func due(_ offset: Int, _ unit: OffsetUnit, from start: Date, clock: ClinicClock) -> (date: ClinicDate, at: Date?) {
        switch unit {
        case .hours:
            let at = start.addingTimeInterval(TimeInterval(offset) * 3600)
            return (clock.date(of: at), at)
        case .days:
            return (clock.date(of: start).adding(days: offset), nil)
        case .months:
            return (clock.date(of: start).adding(months: offset), nil)
        }
    }
}

extension FollowUpPlanner {
    /// How many calls the default rule table gives one visit's treatments (stored kind names, e.g. `filling`) done at
    /// `treatedAt` in `timeZone`: the plan generator as tools and benchmarks call it, without a database.
    public static func defaultPlanSize(kinds: [String], treatedAt: Date, timeZone: TimeZone) -> Int {
        plan(kinds.map { TreatmentGiven(kind: $0, teeth: [36]) }, treatedAt: treatedAt, rules: DefaultRules.all,
             clock: ClinicClock(timeZone: timeZone)).count
    }

    /// The stored names of every treatment kind the rule table knows.
    public static var treatmentKindNames: [String] { StoredNames.treatmentKinds.map(\.1) }
}

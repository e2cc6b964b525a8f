import ClinicValues
import Foundation

/// A treatment given here before, as the first-visit rule and doctor assignment read the history.
public struct PastTreatment: Sendable, Equatable {
    /// The clinic-local date it was done.
    public var date: ClinicDate
    public var kind: TreatmentKind
    public var teeth: [ToothNumber]
    public var doctorID: String
    public var doctorName: String

    /// A past treatment.
    public init(date: ClinicDate, kind: TreatmentKind, teeth: [ToothNumber], doctorID: String, doctorName: String) {
        self.date = date
        self.kind = kind
        self.teeth = teeth
        self.doctorID = doctorID
        self.doctorName = doctorName
    }
}

/// The first-visit rule (DOMAIN.md §1): a first visit is one by a patient never treated here, or back after more
/// than a year for a different tooth or a different treatment; anything else is a return visit. Pure: the
/// history, today and what the patient comes about in; the suggestion out.
public enum FirstVisitRule {
    /// The rule's answer and its reason.
    public struct Suggestion: Sendable, Equatable {
        /// `.first` or `.return`.
        public var kind: VisitKind
        /// Why, in words.
        public var reason: String
        /// The last treatment's date, nil when never treated.
        public var lastTreatedOn: ClinicDate?
        /// The doctor who last treated one of `teeth` within a year.
        public var originalDoctor: (id: String, name: String)?

        public static func == (lhs: Suggestion, rhs: Suggestion) -> Bool {
            lhs.kind == rhs.kind && lhs.reason == rhs.reason && lhs.lastTreatedOn == rhs.lastTreatedOn
                && lhs.originalDoctor?.id == rhs.originalDoctor?.id
        }
    }

    /// The suggestion for a patient with `history` coming `today` about `teeth` (maybe none) for `treatment`
    /// (maybe unknown).
    public static func suggest(history: [PastTreatment], today: ClinicDate, teeth: [ToothNumber] = [],
                               treatment: TreatmentKind? = nil) -> Suggestion {
        let original = originalDoctor(history: history, today: today, teeth: teeth)
        guard let last = history.map(\.date).max() else {
            return Suggestion(kind: .first, reason: "never treated here", lastTreatedOn: nil, originalDoctor: nil)
        }
        if withinAYear(of: last, today: today) {
            return Suggestion(kind: .return, reason: "last treated \(last), within a year", lastTreatedOn: last,
                              originalDoctor: original)
        }
        // Back after more than a year: a return visit only for the same tooth and the same treatment.
        let known = !teeth.isEmpty || treatment != nil
        let same = known && history.contains { past in
            (teeth.isEmpty || !Set(past.teeth).isDisjoint(with: teeth))
                && (treatment.map { $0.family == past.kind.family } ?? true)
        }
        if same {
            return Suggestion(kind: .return, reason: "back after more than a year (last treated \(last)) for the same tooth and treatment",
                              lastTreatedOn: last, originalDoctor: original)
        }
        let what = known ? "for a different tooth or treatment" : "(no tooth or treatment given to match)"
        return Suggestion(kind: .first, reason: "back after more than a year (last treated \(last)) \(what)",
                          lastTreatedOn: last, originalDoctor: original)
    }

    /// Whether `today` is at most one calendar year after `date` (29 February counts a year to 28 February).
    public static func withinAYear(of date: ClinicDate, today: ClinicDate) -> Bool {
        today <= date.addingYears(1)
    }

    /// The doctor who most recently treated one of `teeth` within a year, if any.
    public static func originalDoctor(history: [PastTreatment], today: ClinicDate, teeth: [ToothNumber]) -> (id: String, name: String)? {
        guard !teeth.isEmpty else { return nil }
        let wanted = Set(teeth)
        let recent = history.filter { past in
            !past.doctorID.isEmpty && withinAYear(of: past.date, today: today) && !wanted.isDisjoint(with: past.teeth)
        }
        return recent.max { $0.date < $1.date }.map { ($0.doctorID, $0.doctorName) }
    }
}

extension ClinicDate {
    /// The same day `count` years on; 29 February becomes 28 February in a common year.
    public func addingYears(_ count: Int) -> ClinicDate {
        let year = self.year + count
        return ClinicDate(year: year, month: month, day: min(day, ClinicDate.days(inMonth: month, year: year)))
    }
}

import ClinicService
import Foundation

/// A caller who is not (yet) a registered patient, as typed at the desk.
public struct ProspectDraft: Sendable, Equatable {
    public var name: String
    public var phone: String
    public var age: Int
    public var gender: Int

    /// A prospect's details.
    public init(name: String, phone: String, age: Int, gender: Int = 0) {
        self.name = name
        self.phone = phone
        self.age = age
        self.gender = gender
    }
}

/// A booking as requested, before validation.
public struct BookingDraft: Sendable {
    public var patientID: String
    public var prospect: ProspectDraft?
    public var doctorID: String
    public var chairID: String
    public var start: Date?
    /// 0 means the default.
    public var durationMinutes: Int
    public var procedure: String
    public var notes: String

    /// A draft with the fields validation looks at.
    public init(patientID: String = "", prospect: ProspectDraft? = nil, doctorID: String, chairID: String = "",
                start: Date?, durationMinutes: Int = 0, procedure: String = "", notes: String = "") {
        self.patientID = patientID
        self.prospect = prospect
        self.doctorID = doctorID
        self.chairID = chairID
        self.start = start
        self.durationMinutes = durationMinutes
        self.procedure = procedure
        self.notes = notes
    }
}

/// Who an appointment is for: a registered patient or a prospect.
public enum AppointmentParty: Sendable, Equatable {
    /// A patient registered at reception.
    case patient(UUID)
    /// A caller not registered yet (phone normalised to 11 digits).
    case prospect(ProspectDraft)
}

/// A booking that passed every field rule (the roster and the book are checked against the database).
public struct ValidBooking: Sendable, Equatable {
    public var party: AppointmentParty
    public var doctorID: UUID
    public var chairID: UUID?
    public var span: TimeSpan
    public var durationMinutes: Int
    public var procedure: String
    public var notes: String
}

/// The desk's rules for a booking's fields (DOMAIN.md §2).
public enum BookingRules {
    /// Length when the request does not say.
    public static let defaultDurationMinutes = 30
    /// Shortest and longest appointment.
    public static let durationRange = 5...480
    /// How far in the past a start may be (a booking made as the patient sits down).
    public static let pastGrace: TimeInterval = 5 * 60
    /// Oldest plausible age of a prospect.
    public static let ageRange = 0...150

    /// Checks a draft at `now`; all violations at once, or the valid booking.
    public static func validate(_ draft: BookingDraft, now: Date) -> Result<ValidBooking, ViolationList> {
        var violations: [Violation] = []
        var party: AppointmentParty?
        let patientText = draft.patientID.trimmingWhitespace()
        switch (patientText.isEmpty, draft.prospect) {
        case (false, .some):
            violations.append(Violation("patientId", "give either a patient id or a prospect, not both"))
        case (true, nil):
            violations.append(Violation("patientId", "is required (or a prospect for a caller not yet registered)"))
        case (false, nil):
            if let id = UUID(uuidString: patientText) { party = .patient(id) } else {
                violations.append(Violation("patientId", "must be a patient id (UUID)"))
            }
        case (true, .some(let prospect)):
            let (valid, problems) = validate(prospect)
            violations += problems
            party = valid.map(AppointmentParty.prospect)
        }

        let doctorID = uuid(draft.doctorID, field: "doctorId", required: true, into: &violations)
        let chairID = uuid(draft.chairID, field: "chairId", required: false, into: &violations)

        let duration = draft.durationMinutes == 0 ? defaultDurationMinutes : draft.durationMinutes
        if !durationRange.contains(duration) {
            violations.append(Violation("durationMinutes", "must be between \(durationRange.lowerBound) and \(durationRange.upperBound) minutes"))
        }
        if draft.start == nil {
            violations.append(Violation("startTime", "is required"))
        } else if let start = draft.start, start < now.addingTimeInterval(-pastGrace) {
            violations.append(Violation("startTime", "must not be in the past"))
        }
        if draft.procedure.count > 100 { violations.append(Violation("procedure", "must be at most 100 characters")) }
        if draft.notes.count > 1000 { violations.append(Violation("notes", "must be at most 1000 characters")) }

        guard violations.isEmpty, let party, let doctorID, let start = draft.start else {
            return .failure(ViolationList(violations))
        }
        let span = TimeSpan(start: start, end: start.addingTimeInterval(TimeInterval(duration * 60)))
        return .success(ValidBooking(party: party, doctorID: doctorID, chairID: chairID, span: span,
                                     durationMinutes: duration,
                                     procedure: draft.procedure.trimmingWhitespace(),
                                     notes: draft.notes))
    }

    /// Checks a prospect: name required, mainland mobile phone, plausible age.
    static func validate(_ prospect: ProspectDraft) -> (ProspectDraft?, [Violation]) {
        var violations: [Violation] = []
        let name = prospect.name.trimmingWhitespace()
        if name.isEmpty { violations.append(Violation("prospect.name", "is required")) }
        else if name.count > 50 { violations.append(Violation("prospect.name", "must be at most 50 characters")) }
        let phone = MobileNumber(prospect.phone)
        if prospect.phone.trimmingWhitespace().isEmpty {
            violations.append(Violation("prospect.phone", "is required"))
        } else if phone == nil {
            violations.append(Violation("prospect.phone", "must be a mainland mobile number: 11 digits starting with 13–19"))
        }
        if !ageRange.contains(prospect.age) {
            violations.append(Violation("prospect.age", "must be between \(ageRange.lowerBound) and \(ageRange.upperBound)"))
        }
        guard violations.isEmpty, let phone else { return (nil, violations) }
        return (ProspectDraft(name: name, phone: phone.digits, age: prospect.age, gender: prospect.gender), [])
    }

    /// Parses an id field: nil when empty (a violation if required) or not a UUID (always a violation).
    private static func uuid(_ text: String, field: String, required: Bool, into violations: inout [Violation]) -> UUID? {
        let trimmed = text.trimmingWhitespace()
        if trimmed.isEmpty {
            if required { violations.append(Violation(field, "is required")) }
            return nil
        }
        guard let id = UUID(uuidString: trimmed) else {
            violations.append(Violation(field, "must be an id (UUID)"))
            return nil
        }
        return id
    }
}

/// Whether a booking fits a doctor's working time on its date.
public enum WorkingTimeCheck {
    /// Nil when `span` lies inside one working span of `day`; otherwise why not, naming the doctor, the date
    /// and the hours (e.g. "outside Dr 王 's working hours on 2026-11-24 (09:00–12:00, 13:30–17:30)").
    public static func problem(booking span: TimeSpan, doctorName: String, day: EffectiveDay) -> String? {
        if day.working.contains(where: { $0.contains(span) }) { return nil }
        if day.working.isEmpty {
            let why = day.note.contains("leave") ? "is on leave" : "does not work"
            return "Dr \(doctorName) \(why) on \(day.date)"
        }
        let hours = day.localWorking.map(\.description).joined(separator: ", ")
        return "outside Dr \(doctorName)'s working hours on \(day.date) (\(hours))"
    }
}

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

/// The desk's rules for a booking (DOMAIN.md §2) beyond the contract's field rules, which the worker runtime has
/// checked before any handler runs (a patient or a prospect, the ids' shapes, the duration's range, lengths).
public enum BookingRules {
    /// Length when the request does not say.
    public static let defaultDurationMinutes = 30
    /// How far in the past a start may be (a booking made as the patient sits down).
    public static let pastGrace: TimeInterval = 5 * 60

    /// Turns a draft into a booking at `now`: the start may not lie in the past, and the contract's shapes are
    /// parsed into values (a draft that skipped the contract is refused, naming every field at fault).
    public static func validate(_ draft: BookingDraft, now: Date) -> Result<ValidBooking, ViolationList> {
        var violations: [Violation] = []
        var party: AppointmentParty?
        if let prospect = draft.prospect {
            if let phone = MobileNumber(prospect.phone) {
                party = .prospect(ProspectDraft(name: prospect.name.trimmingWhitespace(), phone: phone.digits, age: prospect.age,
                                                gender: prospect.gender))
            } else {
                violations.append(Violation("prospect.phone", MobileNumber.expectation))
            }
        } else if let id = UUIDText.parse(draft.patientID) {
            party = .patient(id)
        } else {
            violations.append(Violation("patientId", FieldFormat.uuid.expectation))
        }
        let doctorID = UUIDText.parse(draft.doctorID)
        if doctorID == nil { violations.append(Violation("doctorId", FieldFormat.uuid.expectation)) }
        let chairID = draft.chairID.isEmpty ? nil : UUIDText.parse(draft.chairID)
        if !draft.chairID.isEmpty, chairID == nil { violations.append(Violation("chairId", FieldFormat.uuid.expectation)) }

        let duration = draft.durationMinutes == 0 ? defaultDurationMinutes : draft.durationMinutes
        if draft.start == nil {
            violations.append(Violation("startTime", "is required"))
        } else if let start = draft.start, start < now.addingTimeInterval(-pastGrace) {
            violations.append(Violation("startTime", "must not be in the past"))
        }

        guard violations.isEmpty, let party, let doctorID, let start = draft.start else {
            return .failure(ViolationList(violations))
        }
        let span = TimeSpan(start: start, end: start.addingTimeInterval(TimeInterval(duration * 60)))
        return .success(ValidBooking(party: party, doctorID: doctorID, chairID: chairID, span: span,
                                     durationMinutes: duration,
                                     procedure: draft.procedure.trimmingWhitespace(),
                                     notes: draft.notes))
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

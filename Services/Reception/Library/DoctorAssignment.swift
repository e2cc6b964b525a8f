import Foundation

/// A doctor as assignment sees them today: from scheduling (who they are, whether they work today) and from
/// reception's own queue (how many wait for them).
public struct DoctorOnDuty: Sendable, Equatable {
    public var id: String
    public var name: String
    /// `Clinic_Common_V1_Gender`'s raw value: 1 male, 2 female, 0 not recorded.
    public var gender: Int
    /// Still works at the clinic.
    public var active: Bool
    /// Has working hours left today (after overrides and leave).
    public var worksToday: Bool
    /// Patients waiting for them now.
    public var waiting: Int

    /// A doctor on the day's list.
    public init(id: String, name: String, gender: Int, active: Bool, worksToday: Bool, waiting: Int = 0) {
        self.id = id
        self.name = name
        self.gender = gender
        self.active = active
        self.worksToday = worksToday
        self.waiting = waiting
    }

    /// Whether a patient can be put in their queue today.
    public var isAvailable: Bool { active && worksToday }
}

/// Who sees a patient (DOMAIN.md §1), as a pure function: the doctor chosen at the desk, else the appointment's,
/// else for a tooth treated here within a year its original doctor, else the patient's preferred doctor; a requested
/// gender is honoured; a doctor off or gone leaves the visit for a supervisor to give a covering doctor.
public enum DoctorAssignment {
    /// What the rules know when choosing.
    public struct Request: Sendable, Equatable {
        /// The doctor picked at the desk (the patient's choice).
        public var chosen: String?
        /// The booked appointment's doctor.
        public var appointmentDoctor: String?
        /// The doctor who treated one of the patient's teeth within a year.
        public var originalDoctor: String?
        /// The patient record's preferred doctor.
        public var preferredDoctor: String?
        /// 1 male, 2 female, 0 no request.
        public var gender: Int
        /// The patient's reason for not seeing the original doctor ("" when none given).
        public var refusalReason: String

        public init(chosen: String? = nil, appointmentDoctor: String? = nil, originalDoctor: String? = nil,
                    preferredDoctor: String? = nil, gender: Int = 0, refusalReason: String = "") {
            self.chosen = chosen
            self.appointmentDoctor = appointmentDoctor
            self.originalDoctor = originalDoctor
            self.preferredDoctor = preferredDoctor
            self.gender = gender
            self.refusalReason = refusalReason
        }
    }

    /// How the doctor was chosen, as the visit records it.
    public enum Basis: String, Sendable {
        case chosen, appointment, originalDoctor = "original doctor", preferred, gender, covering
    }

    /// What the rules decided.
    public struct Outcome: Sendable, Equatable {
        /// The doctor whose queue the patient joins; nil leaves the visit checked in.
        public var doctor: DoctorOnDuty?
        public var basis: Basis?
        /// A doctor who is off or gone: a supervisor assigns someone covering for them.
        public var needsCoverFor: DoctorOnDuty?
        /// The original doctor the patient refused (recorded as a complaint), with the reason.
        public var refusedOriginal: DoctorOnDuty?
        /// What the desk must still do, "" when nothing.
        public var note: String
    }

    /// Why the desk's choice cannot stand.
    public enum Refusal: Error, Equatable {
        /// Passing over the original doctor needs the patient's reason.
        case refusalReasonNeeded(original: String)
        /// The chosen doctor is not of the gender the patient asked for.
        case genderMismatch(doctor: String, wanted: Int)
        /// No such doctor in scheduling.
        case unknownDoctor(String)
    }

    /// The doctor for a patient, given `doctors` (everyone scheduling knows, with today's availability).
    public static func choose(_ request: Request, doctors: [DoctorOnDuty]) -> Result<Outcome, Refusal> {
        func find(_ id: String?) -> DoctorOnDuty? { id.flatMap { id in doctors.first { $0.id == id } } }
        let wantsGender = request.gender == 1 || request.gender == 2
        func fitsGender(_ doctor: DoctorOnDuty) -> Bool { !wantsGender || doctor.gender == request.gender }

        if let chosen = request.chosen {
            guard let doctor = find(chosen) else { return .failure(.unknownDoctor(chosen)) }
            guard fitsGender(doctor) else { return .failure(.genderMismatch(doctor: doctor.name, wanted: request.gender)) }
        }
        // The rules' candidate, most specific first; a requested gender passes over one who does not fit.
        let ranked: [(String?, Basis)] = [(request.chosen, .chosen), (request.appointmentDoctor, .appointment),
                                          (request.originalDoctor, .originalDoctor), (request.preferredDoctor, .preferred)]
        let candidate = ranked.lazy.compactMap { id, basis in
            find(id).flatMap { fitsGender($0) ? ($0, basis) : nil }
        }.first

        var outcome = Outcome(doctor: nil, basis: nil, needsCoverFor: nil, refusedOriginal: nil, note: "")
        // Seeing anyone but the doctor who treated the tooth within a year is the patient refusing them: it needs
        // their reason, and is recorded (a chosen or booked doctor, or a gender the original doctor is not).
        if let original = find(request.originalDoctor), candidate?.0.id != original.id {
            guard !request.refusalReason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                return .failure(.refusalReasonNeeded(original: original.name))
            }
            outcome.refusedOriginal = original
        }
        let pick = candidate
        if let (doctor, basis) = pick {
            guard doctor.isAvailable else {
                outcome.needsCoverFor = doctor
                outcome.note = "Dr \(doctor.name) \(doctor.active ? "is off today" : "no longer works here"): a supervisor assigns a covering doctor"
                return .success(outcome)
            }
            outcome.doctor = doctor
            outcome.basis = basis
            return .success(outcome)
        }
        if wantsGender {
            let fitting = doctors.filter { $0.isAvailable && fitsGender($0) }
                .min { ($0.waiting, $0.name, $0.id) < ($1.waiting, $1.name, $1.id) }
            guard let fitting else {
                outcome.note = "no \(request.gender == 1 ? "male" : "female") doctor works today: assign one by hand"
                return .success(outcome)
            }
            outcome.doctor = fitting
            outcome.basis = .gender
        }
        return .success(outcome)
    }
}

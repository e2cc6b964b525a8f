import ClinicBus
import ClinicProto
import ClinicValues

/// Who may see what of a patient's record (DOMAIN.md §5): the full phone and national id, and the medical fields.
/// Everyone reading a record sees the rest; what a caller may not see is masked or left empty and named.
struct PatientPrivacy: Equatable {
    /// Roles that see the full phone and national id of every patient.
    static let contactRoles: Set<StaffRole> = [.desk, .nurse, .doctor, .supervisor, .director]
    /// Roles that see allergies, medical history and contraindications.
    static let medicalRoles: Set<StaffRole> = [.doctor, .nurse, .supervisor, .director]

    /// Whether the full phone and national id are shown.
    var showsContact: Bool
    /// Whether the medical fields are shown.
    var showsMedical: Bool

    /// What `caller` may see of a patient whose consultant is recorded as `consultant`: a consultant sees the
    /// contact details of their own clients (the record names them by staff id or by name). Customer service's
    /// "own tasks" need follow-up's tasks, which reception does not hold: until then they see contacts masked.
    init(caller: VerifiedCaller, consultant: String) {
        let ownClient = caller.roles.contains(.consultant) && Self.isOwnClient(consultant, of: caller)
        showsContact = caller.holdsAny(of: Self.contactRoles) || ownClient
        showsMedical = caller.holdsAny(of: Self.medicalRoles)
    }

    /// Whether `caller`'s roles show protected fields of every patient, whoever the record names as consultant
    /// (so the read can be logged before the record is looked at).
    static func revealsAlways(to caller: VerifiedCaller) -> Bool {
        caller.holdsAny(of: contactRoles) || caller.holdsAny(of: medicalRoles)
    }

    /// Whether a patient whose consultant is `consultant` is a client of `caller`.
    static func isOwnClient(_ consultant: String, of caller: VerifiedCaller) -> Bool {
        let recorded = consultant.trimmingWhitespace()
        return !recorded.isEmpty && (recorded == caller.staffID || recorded == caller.name)
    }

    /// Whether the read shows anything protected (and so goes to the access log).
    var revealsAnything: Bool { showsContact || showsMedical }

    /// Masks or empties in `patient` what may not be shown, and names it in `withheld` (JSON names).
    func apply(to patient: inout Clinic_Reception_V1_Patient) {
        var withheld: [String] = []
        if !showsContact {
            patient.phone = MobileNumber.mask(patient.phone)
            withheld.append("phone")
            if !patient.nationalID.isEmpty { patient.nationalID = "" }
            withheld.append("nationalId")
        }
        if !showsMedical {
            patient.allergies = []
            patient.medicalHistory = []
            patient.contraindications = ""
            withheld += ["allergies", "medicalHistory", "contraindications"]
        }
        patient.withheld = withheld
    }
}

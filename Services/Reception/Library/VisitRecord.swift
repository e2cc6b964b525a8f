import ClinicValues
import Foundation

/// A visit as reception's `visits` table holds it.
struct VisitRecord: Sendable, Equatable {
    var id: UUID
    var patientID: UUID
    var patientName: String
    var appointmentID: UUID?
    var appointmentStart: Date?
    var kind: VisitKind
    var suggestedKind: VisitKind
    var kindOverrideReason: String
    var status: VisitStatus
    var doctorID: String?
    var doctorName: String
    var assignment: String
    var assignmentNote: String
    var coveringForDoctorID: String?
    var coveringForDoctorName: String
    var requestedDoctorGender: Int
    var teeth: [Int]
    var complaint: String
    var calledAhead: Bool
    var checkedInAt: Date
    var checkedInBy: String
    var treatmentStartedAt: Date?
    var treatmentDoneAt: Date?
    var paidAt: Date?
    var leftAt: Date?
    var leaveReason: String
    var billID: String?
    /// The desk's move, if any.
    var moved: QueueKey?
    var moveReason: String
    var version: Int64

    /// The visit as the queue order reads it.
    var queueCandidate: QueueCandidate {
        QueueCandidate(visitID: id, emergency: kind == .emergency, appointmentStart: appointmentStart,
                       calledAhead: calledAhead, checkedInAt: checkedInAt, moved: moved)
    }
}

/// A new visit, as check-in decided it.
struct NewVisit: Sendable {
    var id: UUID
    var patientID: UUID
    var appointmentID: UUID?
    var appointmentStart: Date?
    var kind: VisitKind
    var suggestedKind: VisitKind
    var kindOverrideReason: String
    var doctor: DoctorOnDuty?
    var assignment: String
    var assignmentNote: String
    var requestedDoctorGender: Int
    var teeth: [ToothNumber]
    var complaint: String
    var calledAhead: Bool
    var checkedInAt: Date
    var checkedInBy: String

    /// Checked in, and waiting once a doctor is given.
    var status: VisitStatus { doctor == nil ? .checkedIn : .waiting }
}

/// One recorded step of a visit.
struct VisitStepRecord: Sendable, Equatable {
    var visitID: UUID
    var status: VisitStatus
    var at: Date
    var by: String
    var note: String
}

/// One treatment as recorded at treatment done.
struct TreatmentRecord: Sendable, Equatable {
    var kind: TreatmentKind
    var teeth: [ToothNumber]
    var feeCodes: [String]
    var notes: String
}

/// An open visit as the queue view reads it: only what the view shows and the order needs.
struct QueueVisit: Sendable, Equatable {
    var id: UUID
    var patientID: UUID
    var patientName: String
    var kind: VisitKind
    var status: VisitStatus
    var doctorID: String?
    var doctorName: String
    var appointmentStart: Date?
    var calledAhead: Bool
    var checkedInAt: Date
    var treatmentStartedAt: Date?
    var moved: QueueKey?
    var moveReason: String
    var coveringForDoctorName: String
    /// The median of the doctor's last 20 treatment times in minutes; nil when they have none.
    var typicalMinutes: Double?

    /// The visit as the queue order reads it.
    var queueCandidate: QueueCandidate {
        QueueCandidate(visitID: id, emergency: kind == .emergency, appointmentStart: appointmentStart,
                       calledAhead: calledAhead, checkedInAt: checkedInAt, moved: moved)
    }
}

/// A phone consultation as reception's table holds it.
struct PhoneConsultationRecord: Sendable, Equatable {
    var id: UUID
    var callerName: String
    var phone: String
    var patientID: UUID?
    var question: String
    var answer: String
    var advice: String
    var callBackNeeded: Bool
    var appointmentNeeded: Bool
    var recordedBy: String
    var recordedAt: Date
}

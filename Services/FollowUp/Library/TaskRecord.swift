import ClinicValues
import Foundation

/// One attempt at a task as stored.
struct AttemptRecord: Sendable, Equatable {
    var reached: Bool
    var channel: String
    var conditions: [String] = []
    var advice = ""
    /// A–D, nil when not asked.
    var satisfaction: String?
    var suggestions = ""
    var notes = ""
    var complaintID: UUID?
    var doctorCallBackTaskID: UUID?
    var discomfortTaskID: UUID?
    var appointmentID: UUID?
    var bookingLater = false
    var movedToRecall = false
    var recordedBy: String
    var recordedAt: Date
}

/// A follow-up task as stored: a call to make, who makes it, and where it stands.
struct TaskRecord: Sendable, Equatable {
    var id: UUID
    /// What planned it (an event and a rule), so that planning twice makes one task; nil for a task made by hand.
    var sourceKey: String?
    /// The stored task kind (`clinical`, `appointment_reminder`, …).
    var kind: String
    var status = "open"
    var patientID: UUID?
    var patientName: String
    /// The full number; masked on the way out unless the reader may see it.
    var phone: String
    var purpose: String
    var dueDate: ClinicDate
    var dueAt: Date?
    var dueBy: ClinicDate
    var assigneeID: UUID?
    var assigneeName = ""
    var team: FollowUpTeam
    var unattended = false
    var treatingDoctorID: UUID?
    var treatingDoctorName = ""
    var visitID: UUID?
    var appointmentID: UUID?
    var treatmentKind: String?
    var teeth: [Int] = []
    var ruleID: UUID?
    var untilKind: String?
    var endsSeries = false
    var attempts = 0
    var rollovers = 0
    var closedReason = ""
    var closedBy = ""
    var closedAt: Date?
    var createdBy: String
    var createdAt: Date
    var history: [AttemptRecord] = []

    /// Still open past its last day.
    func isOverdue(on day: ClinicDate) -> Bool { status == "open" && dueBy < day }
}

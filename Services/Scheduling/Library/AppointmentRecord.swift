import ClinicService
import Foundation

/// A stored appointment, with the names the book shows beside it.
public struct AppointmentRecord: Sendable, Equatable {
    public var id: UUID
    public var patientID: UUID?
    public var prospect: ProspectDraft?
    public var doctorID: UUID
    public var chairID: UUID?
    public var span: TimeSpan
    public var durationMinutes: Int
    public var procedure: String
    public var source: Int
    public var notes: String
    public var status: AppointmentStatus
    public var cancelReason: String
    public var rescheduledToID: UUID?
    public var rescheduledFromID: UUID?
    public var bookedBy: String
    public var arrivedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int64
    /// The doctor's name.
    public var doctorName: String
    /// The chair's name ("" without a chair).
    public var chairName: String
    /// The patient's name from the projection, or the prospect's ("" when not known yet).
    public var patientName: String
}

/// One confirmation given by the patient.
public struct ConfirmationRecord: Sendable, Equatable {
    public var appointmentID: UUID
    public var channel: Int
    public var confirmedAt: Date
    public var confirmedBy: String
    public var note: String
}

/// A doctor as the book knows them.
public struct DoctorRecord: Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var specialty: String
    public var gender: Int
    public var title: String
    public var active: Bool
    public var createdAt: Date
}

/// A chair (or treatment room).
public struct ChairRecord: Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var room: String
    public var active: Bool
    public var createdAt: Date
}

/// A doctor's leave.
public struct LeaveRecord: Sendable, Equatable {
    public var id: UUID
    public var doctorID: UUID
    public var span: TimeSpan
    public var reason: String
    public var cancelled: Bool
    public var createdAt: Date
}

/// A date's override as stored, with its reason.
public struct RosterOverrideRecord: Sendable, Equatable {
    public var doctorID: UUID
    public var date: ClinicDate
    public var plan: DayPlan
    public var reason: String
}

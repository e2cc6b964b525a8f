import ClinicProto
import ClinicService
import ClinicValues
import Foundation
import SwiftProtobuf

/// Visits, treatments and consultations as messages (protobuf ⇄ domain).
struct VisitMessages {
    let clock: ClinicClock

    /// The visit with its steps and treatments.
    func visit(_ record: VisitRecord, steps: [VisitStepRecord], treatments: [TreatmentRecord]) -> Clinic_Reception_V1_Visit {
        var visit = Clinic_Reception_V1_Visit()
        visit.id = record.id.lowercasedText
        visit.patientID = record.patientID.lowercasedText
        visit.patientName = record.patientName
        visit.appointmentID = record.appointmentID?.lowercasedText ?? ""
        if let start = record.appointmentStart { visit.appointmentStart = Google_Protobuf_Timestamp(date: start) }
        visit.kind = record.kind.message
        visit.suggestedKind = record.suggestedKind.message
        visit.kindOverrideReason = record.kindOverrideReason
        visit.status = Self.status(record.status)
        visit.doctorID = record.doctorID ?? ""
        visit.doctorName = record.doctorName
        visit.assignment = record.assignment
        visit.assignmentNote = record.assignmentNote
        visit.coveringForDoctorID = record.coveringForDoctorID ?? ""
        visit.coveringForDoctorName = record.coveringForDoctorName
        visit.requestedDoctorGender = .init(rawValue: record.requestedDoctorGender) ?? .unspecified
        visit.teeth = record.teeth.map(Int32.init)
        visit.complaint = record.complaint
        visit.calledAhead = record.calledAhead
        visit.checkedInAt = Google_Protobuf_Timestamp(date: record.checkedInAt)
        visit.checkedInLocal = clock.display(record.checkedInAt)
        visit.checkedInBy = record.checkedInBy
        if let at = record.treatmentStartedAt { visit.treatmentStartedAt = Google_Protobuf_Timestamp(date: at) }
        if let at = record.treatmentDoneAt { visit.treatmentDoneAt = Google_Protobuf_Timestamp(date: at) }
        if let at = record.paidAt { visit.paidAt = Google_Protobuf_Timestamp(date: at) }
        if let at = record.leftAt { visit.leftAt = Google_Protobuf_Timestamp(date: at) }
        visit.leaveReason = record.leaveReason
        visit.billID = record.billID ?? ""
        visit.version = record.version
        visit.steps = steps.map { step in
            var message = Clinic_Reception_V1_VisitStep()
            message.status = Self.status(step.status)
            message.at = Google_Protobuf_Timestamp(date: step.at)
            message.by = step.by
            message.note = step.note
            return message
        }
        visit.treatments = treatments.map(Self.treatment)
        return visit
    }

    /// A treatment as messages carry it.
    static func treatment(_ record: TreatmentRecord) -> Clinic_Reception_V1_Treatment {
        var treatment = Clinic_Reception_V1_Treatment()
        treatment.kind = record.kind.message
        treatment.teeth = record.teeth.map { Int32($0.value) }
        treatment.feeCodes = record.feeCodes
        treatment.notes = record.notes
        return treatment
    }

    /// The status as messages carry it.
    static func status(_ status: VisitStatus) -> Clinic_Reception_V1_VisitStatus {
        switch status {
        case .checkedIn: .checkedIn
        case .waiting: .waiting
        case .inTreatment: .inTreatment
        case .treatmentDone: .treatmentDone
        case .paid: .paid
        case .left: .left
        case .leftUnseen: .leftUnseen
        }
    }

    /// The status a message names, nil for unspecified or unknown.
    static func status(_ message: Clinic_Reception_V1_VisitStatus) -> VisitStatus? {
        switch message {
        case .checkedIn: .checkedIn
        case .waiting: .waiting
        case .inTreatment: .inTreatment
        case .treatmentDone: .treatmentDone
        case .paid: .paid
        case .left: .left
        case .leftUnseen: .leftUnseen
        case .unspecified, .UNRECOGNIZED: nil
        }
    }

    /// A phone consultation; the phone masked unless `fullPhone`.
    static func consultation(_ record: PhoneConsultationRecord, fullPhone: Bool) -> Clinic_Reception_V1_PhoneConsultation {
        var message = Clinic_Reception_V1_PhoneConsultation()
        message.id = record.id.lowercasedText
        message.callerName = record.callerName
        message.phone = fullPhone ? record.phone : MobileNumber.mask(record.phone)
        message.patientID = record.patientID?.lowercasedText ?? ""
        message.question = record.question
        message.answer = record.answer
        message.advice = record.advice
        message.callBackNeeded = record.callBackNeeded
        message.appointmentNeeded = record.appointmentNeeded
        message.recordedBy = record.recordedBy
        message.recordedAt = Google_Protobuf_Timestamp(date: record.recordedAt)
        return message
    }
}

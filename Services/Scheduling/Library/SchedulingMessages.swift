import ClinicService
import ClinicProto
import ClinicStore
import Foundation
import SwiftProtobuf

/// Domain records → protobuf messages, with clinic-local display strings.
struct SchedulingMessages {
    let clock: ClinicClock

    func appointment(_ record: AppointmentRecord, confirmations: [ConfirmationRecord] = []) -> Clinic_Scheduling_V1_Appointment {
        var message = Clinic_Scheduling_V1_Appointment()
        message.id = record.id.lowercasedText
        message.patientID = record.patientID?.lowercasedText ?? ""
        if let prospect = record.prospect {
            message.prospect.name = prospect.name
            message.prospect.phone = prospect.phone
            message.prospect.age = Int32(prospect.age)
            message.prospect.gender = .init(rawValue: prospect.gender) ?? .unspecified
        }
        message.doctorID = record.doctorID.lowercasedText
        message.chairID = record.chairID?.lowercasedText ?? ""
        message.startTime = Google_Protobuf_Timestamp(date: record.span.start)
        message.endTime = Google_Protobuf_Timestamp(date: record.span.end)
        message.durationMinutes = Int32(record.durationMinutes)
        message.procedure = record.procedure
        message.source = .init(rawValue: record.source) ?? .unspecified
        message.notes = record.notes
        message.status = Self.status(record.status)
        message.cancelReason = record.cancelReason
        message.rescheduledToID = record.rescheduledToID?.lowercasedText ?? ""
        message.rescheduledFromID = record.rescheduledFromID?.lowercasedText ?? ""
        message.confirmations = confirmations.map(confirmation)
        message.createdAt = Google_Protobuf_Timestamp(date: record.createdAt)
        message.updatedAt = Google_Protobuf_Timestamp(date: record.updatedAt)
        message.version = record.version
        message.startLocal = clock.display(record.span.start)
        message.doctorName = record.doctorName
        message.chairName = record.chairName
        message.patientName = record.patientName
        message.bookedBy = record.bookedBy
        if let arrivedAt = record.arrivedAt { message.arrivedAt = Google_Protobuf_Timestamp(date: arrivedAt) }
        return message
    }

    func confirmation(_ record: ConfirmationRecord) -> Clinic_Scheduling_V1_Confirmation {
        var message = Clinic_Scheduling_V1_Confirmation()
        message.channel = .init(rawValue: record.channel) ?? .unspecified
        message.confirmedAt = Google_Protobuf_Timestamp(date: record.confirmedAt)
        message.confirmedBy = record.confirmedBy
        message.note = record.note
        return message
    }

    func doctor(_ record: DoctorRecord) -> Clinic_Scheduling_V1_Doctor {
        var message = Clinic_Scheduling_V1_Doctor()
        message.id = record.id.lowercasedText
        message.name = record.name
        message.specialty = record.specialty
        message.gender = .init(rawValue: record.gender) ?? .unspecified
        message.title = record.title
        message.active = record.active
        message.createdAt = Google_Protobuf_Timestamp(date: record.createdAt)
        return message
    }

    func chair(_ record: ChairRecord) -> Clinic_Scheduling_V1_Chair {
        var message = Clinic_Scheduling_V1_Chair()
        message.id = record.id.lowercasedText
        message.name = record.name
        message.room = record.room
        message.active = record.active
        message.createdAt = Google_Protobuf_Timestamp(date: record.createdAt)
        return message
    }

    func leave(_ record: LeaveRecord) -> Clinic_Scheduling_V1_Leave {
        var message = Clinic_Scheduling_V1_Leave()
        message.id = record.id.lowercasedText
        message.doctorID = record.doctorID.lowercasedText
        message.startTime = Google_Protobuf_Timestamp(date: record.span.start)
        message.endTime = Google_Protobuf_Timestamp(date: record.span.end)
        message.reason = record.reason
        message.cancelled = record.cancelled
        message.createdAt = Google_Protobuf_Timestamp(date: record.createdAt)
        message.startLocal = clock.display(record.span.start)
        message.endLocal = clock.display(record.span.end)
        return message
    }

    func override(_ record: RosterOverrideRecord) -> Clinic_Scheduling_V1_RosterOverride {
        var message = Clinic_Scheduling_V1_RosterOverride()
        message.doctorID = record.doctorID.lowercasedText
        message.date = record.date.description
        switch record.plan {
        case .dayOff: message.dayOff = true
        case .hours(let hours):
            message.hours = Self.range(hours.hours)
            message.breaks = hours.breaks.map(Self.range)
        }
        message.reason = record.reason
        return message
    }

    func weekly(_ roster: WeeklyRoster, doctor: UUID, updatedAt: Date?) -> Clinic_Scheduling_V1_WeeklyRoster {
        var message = Clinic_Scheduling_V1_WeeklyRoster()
        message.doctorID = doctor.lowercasedText
        message.days = roster.days.sorted { $0.key < $1.key }.map { weekday, hours in
            var day = Clinic_Scheduling_V1_RosterDay()
            day.weekday = Int32(weekday)
            day.hours = Self.range(hours.hours)
            day.breaks = hours.breaks.map(Self.range)
            return day
        }
        if let updatedAt { message.updatedAt = Google_Protobuf_Timestamp(date: updatedAt) }
        return message
    }

    static func range(_ span: DaySpan) -> Clinic_Scheduling_V1_TimeOfDayRange {
        var range = Clinic_Scheduling_V1_TimeOfDayRange()
        range.start = span.start.description
        range.end = span.end.description
        return range
    }

    static func status(_ status: AppointmentStatus) -> Clinic_Scheduling_V1_AppointmentStatus {
        switch status {
        case .booked: .booked
        case .confirmed: .confirmed
        case .arrived: .arrived
        case .inTreatment: .inTreatment
        case .completed: .completed
        case .cancelled: .cancelled
        case .rescheduled: .rescheduled
        case .noShow: .noShow
        }
    }
}

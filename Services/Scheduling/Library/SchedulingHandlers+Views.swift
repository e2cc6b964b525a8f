import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import Foundation
import SwiftProtobuf

/// Free slots and the appointment book's views.
extension SchedulingHandlers {
    /// Most past appointments a patient's list shows (upcoming ones too).
    static let patientListLimit = 100

    func findSlots(_ context: RequestContext, _ request: Clinic_Scheduling_V1_FindSlotsRequest) throws -> Clinic_Scheduling_V1_FindSlotsResponse {
        // The contract has checked the ids' shapes and the ranges of duration, count and step.
        let specialty = request.specialty.trimmingWhitespace()
        if request.doctorID.isEmpty == specialty.isEmpty {
            throw RPCError.invalidArgument(field: "doctorId", "give either a doctor id or a specialty")
        }
        let doctorID = try CheckedID.parseOptional(request.doctorID, field: "doctorId")
        let chairID = try CheckedID.parseOptional(request.chairID, field: "chairId")
        let duration = request.durationMinutes == 0 ? BookingRules.defaultDurationMinutes : Int(request.durationMinutes)
        let count = request.count == 0 ? 5 : Int(request.count)
        let step = request.stepMinutes == 0 ? 15 : Int(request.stepMinutes)

        let rosters = try rosterDirectory.current(clock: clock, on: db)
        let doctors: [DoctorRecord]
        if let doctorID {
            // Not among the active doctors: ask the table, for the right error (unknown or inactive).
            doctors = [try rosters.doctor(doctorID) ?? activeDoctor(doctorID, on: db)]
        } else {
            doctors = rosters.doctors(specialty: specialty)
        }
        if let chairID { _ = try activeChair(chairID, on: db) }
        let now = Date()
        let earliest = request.hasFromTime ? max(request.fromTime.date, now) : now
        let found = try SlotSearch(clock: clock, roster: roster)
            .find(doctors: doctors, in: rosters, chair: chairID, duration: TimeInterval(duration * 60),
                  step: TimeInterval(step * 60), earliest: earliest, count: count, on: db)
        var response = Clinic_Scheduling_V1_FindSlotsResponse()
        response.slots = found.map { slot in
            var message = Clinic_Scheduling_V1_Slot()
            message.doctorID = slot.doctor.id.lowercasedText
            message.doctorName = slot.doctor.name
            message.startTime = Google_Protobuf_Timestamp(date: slot.start)
            message.endTime = Google_Protobuf_Timestamp(date: slot.start.addingTimeInterval(TimeInterval(duration * 60)))
            message.startLocal = clock.display(slot.start)
            return message
        }
        return response
    }

    func listDayAppointments(_ context: RequestContext, _ request: Clinic_Scheduling_V1_ListDayAppointmentsRequest) throws -> Clinic_Scheduling_V1_ListDayAppointmentsResponse {
        let date = try CheckedDate.parse(request.date, field: "date", default: clock.today())
        let doctor = try CheckedID.parseOptional(request.doctorID, field: "doctorId")
        let chair = try CheckedID.parseOptional(request.chairID, field: "chairId")
        let records = try AppointmentStore.day(clock.span(of: date), doctor: doctor, chair: chair,
                                               includeInactive: request.includeInactive, on: db)
        var response = Clinic_Scheduling_V1_ListDayAppointmentsResponse()
        response.date = date.description
        response.appointments = try messages(for: records, on: db)
        return response
    }

    func listPatientAppointments(_ context: RequestContext, _ request: Clinic_Scheduling_V1_ListPatientAppointmentsRequest) throws -> Clinic_Scheduling_V1_ListPatientAppointmentsResponse {
        let patient = try CheckedID.parse(request.patientID, field: "patientId")
        let now = Date()
        var response = Clinic_Scheduling_V1_ListPatientAppointmentsResponse()
        response.upcoming = try messages(for: try AppointmentStore.ofPatient(patient, upcoming: true, now: now,
                                                                            limit: Self.patientListLimit, on: db), on: db)
        response.past = try messages(for: try AppointmentStore.ofPatient(patient, upcoming: false, now: now,
                                                                        limit: Self.patientListLimit, on: db), on: db)
        return response
    }
}

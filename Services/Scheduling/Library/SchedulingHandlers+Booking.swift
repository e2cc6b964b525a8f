import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import Foundation
import SwiftProtobuf

/// Booking and rescheduling: the rules, the patient check, and the slot the database guards.
extension SchedulingHandlers {
    func bookAppointment(_ context: RequestContext, _ request: Clinic_Scheduling_V1_BookAppointmentRequest) throws -> Clinic_Scheduling_V1_Appointment {
        var draft = BookingDraft(patientID: request.patientID, doctorID: request.doctorID, chairID: request.chairID,
                                 start: request.hasStartTime ? request.startTime.date : nil,
                                 durationMinutes: Int(request.durationMinutes), procedure: request.procedure, notes: request.notes)
        if request.hasProspect {
            draft.prospect = ProspectDraft(name: request.prospect.name, phone: request.prospect.phone,
                                           age: Int(request.prospect.age), gender: request.prospect.gender.rawValue)
        }
        let booking = try BookingRules.validate(draft, now: Date()).orInvalidArgument()
        if case .UNRECOGNIZED = request.source { throw RPCError.invalidArgument(field: "source", "is not a known value") }
        if case .patient(let patientID) = booking.party {
            // Asked before the transaction: a bus call never holds row locks.
            try ensurePatientKnown(patientID, context: context)
        }
        return try IdempotentWrite.perform(context, on: db) { db in
            let record = try book(booking, source: request.source.rawValue, bookedBy: context.actor, on: db)
            var event = Clinic_Scheduling_V1_AppointmentBooked()
            event.appointment = messages.appointment(record)
            try SchedulingService.events.append(event, on: db)
            logger.info("appointment booked", metadata: ["appointment_id": "\(record.id.lowercasedText)", "doctor_id": "\(record.doctorID.lowercasedText)",
                                                         "request_id": "\(context.requestID)"])
            return event.appointment
        }
    }

    func rescheduleAppointment(_ context: RequestContext, _ request: Clinic_Scheduling_V1_RescheduleAppointmentRequest) throws -> Clinic_Scheduling_V1_RescheduleAppointmentResponse {
        let id = try CheckedID.parse(request.appointmentID, field: "appointmentId")
        let doctorOverride = try CheckedID.parseOptional(request.doctorID, field: "doctorId")
        let chairOverride = try CheckedID.parseOptional(request.chairID, field: "chairId")
        return try IdempotentWrite.perform(context, on: db) { db in
            let old = try lockedAppointment(id, on: db)
            let status = try AppointmentLifecycle.next(after: .reschedule, from: old.status).get()
            // The replacement goes through the same field rules as a new booking, for the same party.
            let draft = BookingDraft(patientID: old.patientID?.lowercasedText ?? "", prospect: old.prospect,
                                     doctorID: (doctorOverride ?? old.doctorID).lowercasedText,
                                     chairID: (chairOverride ?? old.chairID)?.lowercasedText ?? "",
                                     start: request.startTime.date,
                                     durationMinutes: request.durationMinutes == 0 ? old.durationMinutes : Int(request.durationMinutes),
                                     procedure: old.procedure, notes: old.notes)
            let booking = try BookingRules.validate(draft, now: Date()).orInvalidArgument()
            // Free the old slot first, so a move within an overlapping window does not collide with itself.
            try AppointmentStore.update(old.id, status: status, on: db)
            let replacement = try book(booking, source: old.source, bookedBy: context.actor, rescheduledFrom: old.id, on: db)
            try AppointmentStore.update(old.id, status: status, rescheduledTo: replacement.id, on: db)
            guard let previous = try AppointmentStore.find(old.id, on: db) else { throw RPCError.internalError("appointment vanished") }

            var response = Clinic_Scheduling_V1_RescheduleAppointmentResponse()
            response.previous = try message(for: previous, on: db)
            response.appointment = messages.appointment(replacement)
            var moved = Clinic_Scheduling_V1_AppointmentRescheduled()
            moved.previous = response.previous
            moved.appointment = response.appointment
            moved.reason = request.reason
            try SchedulingService.events.append(moved, on: db)
            var booked = Clinic_Scheduling_V1_AppointmentBooked()
            booked.appointment = response.appointment
            try SchedulingService.events.append(booked, on: db)
            logger.info("appointment rescheduled", metadata: ["appointment_id": "\(old.id.lowercasedText)", "replacement_id": "\(replacement.id.lowercasedText)",
                                                              "request_id": "\(context.requestID)"])
            return response
        }
    }

    /// Checks resources and working time, then inserts; the exclusion constraints decide any race.
    func book(_ booking: ValidBooking, source: Int, bookedBy: String, rescheduledFrom: UUID? = nil,
              on db: Connection) throws -> AppointmentRecord {
        let doctor = try activeDoctor(booking.doctorID, on: db)
        if let chair = booking.chairID { _ = try activeChair(chair, on: db) }
        let date = clock.date(of: booking.span.start)
        let day = try effectiveDay(of: doctor.id, on: date, db: db)
        if let problem = WorkingTimeCheck.problem(booking: booking.span, doctorName: doctor.name, day: day) {
            throw RPCError.failedPrecondition(problem)
        }
        let id: UUID
        do {
            id = try AppointmentStore.insert(booking, source: source, bookedBy: bookedBy, rescheduledFrom: rescheduledFrom, on: db)
        } catch let taken as SlotTaken {
            throw Self.slotTaken(taken)
        }
        guard let record = try AppointmentStore.find(id, on: db) else { throw RPCError.internalError("appointment vanished") }
        return record
    }

    /// Makes sure the patient exists: from the projection, else by asking reception (and remembering the answer).
    func ensurePatientKnown(_ id: UUID, context: RequestContext) throws {
        if try PatientDirectory.contains(id, on: db) { return }
        var request = Clinic_Reception_V1_GetPatientRequest()
        request.patientID = id.lowercasedText
        request.reason = "scheduling: booking check"
        let patient: Clinic_Reception_V1_Patient
        do {
            patient = try context.call(Clinic_Reception_V1_Reception.getPatient, request, as: SchedulingService.name)
        } catch let error as RPCError {
            switch error.code {
            case .notFound: throw RPCError.notFound("patient \(id.lowercasedText) not found")
            case .unavailable, .deadlineExceeded: throw RPCError.unavailable("reception cannot confirm the patient right now; retry shortly")
            default:
                logger.warning("reception patient check failed", metadata: ["code": "\(error.code.name)", "patient_id": "\(id.lowercasedText)"])
                throw RPCError.unavailable("reception could not confirm the patient (\(error.code.name))")
            }
        }
        try PatientDirectory.upsert(id: id, name: patient.name, phone: patient.phone, on: db)
    }
}

import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import Foundation
import SwiftProtobuf

/// An appointment's life after booking: confirm, arrive, treat, complete, cancel, no-show.
extension SchedulingHandlers {
    func getAppointment(_ context: RequestContext, _ request: Clinic_Scheduling_V1_GetAppointmentRequest) throws -> Clinic_Scheduling_V1_Appointment {
        let id = try Self.id(request.appointmentID, field: "appointmentId")
        guard let record = try AppointmentStore.find(id, on: db) else { throw RPCError.notFound("appointment \(id.lowercasedText) not found") }
        return try message(for: record, on: db)
    }

    func confirmAppointment(_ context: RequestContext, _ request: Clinic_Scheduling_V1_ConfirmAppointmentRequest) throws -> Clinic_Scheduling_V1_Appointment {
        let id = try Self.id(request.appointmentID, field: "appointmentId")
        if case .UNRECOGNIZED = request.channel { throw RPCError.invalidArgument(field: "channel", "is not a known value") }
        guard request.note.count <= 500 else { throw RPCError.invalidArgument(field: "note", "must be at most 500 characters") }
        return try db.transaction { db in
            let record = try lockedAppointment(id, on: db)
            let next = try AppointmentLifecycle.next(after: .confirm, from: record.status).get()
            let confirmation = ConfirmationRecord(appointmentID: id, channel: request.channel.rawValue, confirmedAt: Date(),
                                                  confirmedBy: Self.actor(context), note: request.note)
            try AppointmentStore.addConfirmation(confirmation, on: db)
            try AppointmentStore.update(id, status: next, on: db)
            let updated = try message(for: try reload(id, on: db), on: db)
            var event = Clinic_Scheduling_V1_AppointmentConfirmed()
            event.appointment = updated
            event.confirmation = messages.confirmation(confirmation)
            try SchedulingEvents.append(event, on: db)
            return updated
        }
    }

    func markArrived(_ context: RequestContext, _ request: Clinic_Scheduling_V1_MarkArrivedRequest) throws -> Clinic_Scheduling_V1_Appointment {
        let id = try Self.id(request.appointmentID, field: "appointmentId")
        return try db.transaction { db in
            let now = Date()
            let record = try lockedAppointment(id, on: db)
            let sameDay = clock.date(of: record.span.start) == clock.date(of: now)
            let next = try AppointmentLifecycle.next(after: .arrive(sameClinicDay: sameDay), from: record.status).get()
            try AppointmentStore.update(id, status: next, arrivedAt: now, on: db)
            let updated = try message(for: try reload(id, on: db), on: db)
            var event = Clinic_Scheduling_V1_AppointmentArrived()
            event.appointment = updated
            try SchedulingEvents.append(event, on: db)
            return updated
        }
    }

    func startTreatment(_ context: RequestContext, _ request: Clinic_Scheduling_V1_StartTreatmentRequest) throws -> Clinic_Scheduling_V1_Appointment {
        let id = try Self.id(request.appointmentID, field: "appointmentId")
        return try db.transaction { db in
            let record = try lockedAppointment(id, on: db)
            let next = try AppointmentLifecycle.next(after: .startTreatment, from: record.status).get()
            try AppointmentStore.update(id, status: next, on: db)
            return try message(for: try reload(id, on: db), on: db)
        }
    }

    func completeAppointment(_ context: RequestContext, _ request: Clinic_Scheduling_V1_CompleteAppointmentRequest) throws -> Clinic_Scheduling_V1_Appointment {
        let id = try Self.id(request.appointmentID, field: "appointmentId")
        guard request.notes.count <= 1000 else { throw RPCError.invalidArgument(field: "notes", "must be at most 1000 characters") }
        return try db.transaction { db in
            let record = try lockedAppointment(id, on: db)
            let next = try AppointmentLifecycle.next(after: .complete, from: record.status).get()
            let notes = request.notes.isEmpty ? nil : (record.notes.isEmpty ? request.notes : record.notes + "\n" + request.notes)
            try AppointmentStore.update(id, status: next, notes: notes, on: db)
            let updated = try message(for: try reload(id, on: db), on: db)
            var event = Clinic_Scheduling_V1_AppointmentCompleted()
            event.appointment = updated
            try SchedulingEvents.append(event, on: db)
            return updated
        }
    }

    func cancelAppointment(_ context: RequestContext, _ request: Clinic_Scheduling_V1_CancelAppointmentRequest) throws -> Clinic_Scheduling_V1_Appointment {
        let id = try Self.id(request.appointmentID, field: "appointmentId")
        let reason = request.reason.trimmingWhitespace()
        guard !reason.isEmpty else { throw RPCError.invalidArgument(field: "reason", "is required to cancel") }
        guard reason.count <= 500 else { throw RPCError.invalidArgument(field: "reason", "must be at most 500 characters") }
        return try db.transaction { db in
            let record = try lockedAppointment(id, on: db)
            let next = try AppointmentLifecycle.next(after: .cancel, from: record.status).get()
            try AppointmentStore.update(id, status: next, cancelReason: reason, on: db)
            let updated = try message(for: try reload(id, on: db), on: db)
            var event = Clinic_Scheduling_V1_AppointmentCancelled()
            event.appointment = updated
            event.reason = reason
            try SchedulingEvents.append(event, on: db)
            logger.info("appointment cancelled", metadata: ["appointment_id": "\(id)", "request_id": "\(context.requestID)"])
            return updated
        }
    }

    func markNoShow(_ context: RequestContext, _ request: Clinic_Scheduling_V1_MarkNoShowRequest) throws -> Clinic_Scheduling_V1_Appointment {
        let id = try Self.id(request.appointmentID, field: "appointmentId")
        return try db.transaction { db in
            let record = try lockedAppointment(id, on: db)
            let next = try AppointmentLifecycle.next(after: .markNoShow, from: record.status).get()
            guard record.span.start <= Date() else {
                throw RPCError.failedPrecondition("the appointment has not started yet (\(clock.display(record.span.start))); it cannot be marked a no-show")
            }
            try AppointmentStore.update(id, status: next, on: db)
            let updated = try message(for: try reload(id, on: db), on: db)
            var event = Clinic_Scheduling_V1_AppointmentMissed()
            event.appointment = updated
            try SchedulingEvents.append(event, on: db)
            return updated
        }
    }

    /// The appointment after a change in this transaction.
    func reload(_ id: UUID, on db: Connection) throws -> AppointmentRecord {
        guard let record = try AppointmentStore.find(id, on: db) else { throw RPCError.internalError("appointment vanished") }
        return record
    }
}

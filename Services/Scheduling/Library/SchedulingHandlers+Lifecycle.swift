import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import Foundation
import SwiftProtobuf

/// An appointment's life after booking: confirm, arrive, treat, complete, cancel, no-show.
extension SchedulingHandlers {
    func getAppointment(_ context: RequestContext, _ request: Clinic_Scheduling_V1_GetAppointmentRequest) throws -> Clinic_Scheduling_V1_Appointment {
        let id = try CheckedID.parse(request.appointmentID, field: "appointmentId")
        guard let record = try AppointmentStore.find(id, on: db) else { throw RPCError.notFound("appointment \(id.lowercasedText) not found") }
        return try message(for: record, on: db)
    }

    func confirmAppointment(_ context: RequestContext, _ request: Clinic_Scheduling_V1_ConfirmAppointmentRequest) throws -> Clinic_Scheduling_V1_Appointment {
        let id = try CheckedID.parse(request.appointmentID, field: "appointmentId")
        if case .UNRECOGNIZED = request.channel { throw RPCError.invalidArgument(field: "channel", "is not a known value") }
        let confirmation = ConfirmationRecord(appointmentID: id, channel: request.channel.rawValue, confirmedAt: Date(),
                                              confirmedBy: context.actor, note: request.note)
        return try transition(id, { _ in .confirm }, write: { _, next, db in
            try AppointmentStore.addConfirmation(confirmation, on: db)
            try AppointmentStore.update(id, status: next, on: db)
        }, announce: { updated in
            var event = Clinic_Scheduling_V1_AppointmentConfirmed()
            event.appointment = updated
            event.confirmation = messages.confirmation(confirmation)
            return event
        })
    }

    func markArrived(_ context: RequestContext, _ request: Clinic_Scheduling_V1_MarkArrivedRequest) throws -> Clinic_Scheduling_V1_Appointment {
        let id = try CheckedID.parse(request.appointmentID, field: "appointmentId")
        let now = Date()
        return try transition(id, { record in .arrive(sameClinicDay: clock.date(of: record.span.start) == clock.date(of: now)) },
                              write: { _, next, db in try AppointmentStore.update(id, status: next, arrivedAt: now, on: db) },
                              announce: { updated in
            var event = Clinic_Scheduling_V1_AppointmentArrived()
            event.appointment = updated
            return event
        })
    }

    func startTreatment(_ context: RequestContext, _ request: Clinic_Scheduling_V1_StartTreatmentRequest) throws -> Clinic_Scheduling_V1_Appointment {
        let id = try CheckedID.parse(request.appointmentID, field: "appointmentId")
        return try transition(id, { _ in .startTreatment }, write: { _, next, db in try AppointmentStore.update(id, status: next, on: db) },
                              announce: { _ in nil })
    }

    func completeAppointment(_ context: RequestContext, _ request: Clinic_Scheduling_V1_CompleteAppointmentRequest) throws -> Clinic_Scheduling_V1_Appointment {
        let id = try CheckedID.parse(request.appointmentID, field: "appointmentId")
        return try transition(id, { _ in .complete }, write: { record, next, db in
            let notes = request.notes.isEmpty ? nil : (record.notes.isEmpty ? request.notes : record.notes + "\n" + request.notes)
            try AppointmentStore.update(id, status: next, notes: notes, on: db)
        }, announce: { updated in
            var event = Clinic_Scheduling_V1_AppointmentCompleted()
            event.appointment = updated
            return event
        })
    }

    func cancelAppointment(_ context: RequestContext, _ request: Clinic_Scheduling_V1_CancelAppointmentRequest) throws -> Clinic_Scheduling_V1_Appointment {
        let id = try CheckedID.parse(request.appointmentID, field: "appointmentId")
        let reason = request.reason.trimmingWhitespace()
        let cancelled = try transition(id, { _ in .cancel },
                                       write: { _, next, db in try AppointmentStore.update(id, status: next, cancelReason: reason, on: db) },
                                       announce: { updated in
            var event = Clinic_Scheduling_V1_AppointmentCancelled()
            event.appointment = updated
            event.reason = reason
            return event
        })
        logger.info("appointment cancelled", metadata: ["appointment_id": "\(id.lowercasedText)", "request_id": "\(context.requestID)"])
        return cancelled
    }

    func markNoShow(_ context: RequestContext, _ request: Clinic_Scheduling_V1_MarkNoShowRequest) throws -> Clinic_Scheduling_V1_Appointment {
        let id = try CheckedID.parse(request.appointmentID, field: "appointmentId")
        return try transition(id, { _ in .markNoShow }, write: { record, next, db in
            guard record.span.start <= Date() else {
                throw RPCError.failedPrecondition("the appointment has not started yet (\(clock.display(record.span.start))); it cannot be marked a no-show")
            }
            try AppointmentStore.update(id, status: next, on: db)
        }, announce: { updated in
            var event = Clinic_Scheduling_V1_AppointmentMissed()
            event.appointment = updated
            return event
        })
    }

    /// One step of an appointment's life, in one transaction: lock the appointment, check the step `event` makes of
    /// it against its state (FAILED_PRECONDITION naming the state when illegal), apply the change with `write`, and
    /// publish what `announce` makes of the updated appointment (nothing when it gives nil).
    private func transition(_ id: UUID, _ event: (AppointmentRecord) -> AppointmentEvent,
                            write: (AppointmentRecord, AppointmentStatus, Connection) throws -> Void,
                            announce: (Clinic_Scheduling_V1_Appointment) -> (any SwiftProtobuf.Message)?) throws -> Clinic_Scheduling_V1_Appointment {
        try db.transaction { db in
            let record = try lockedAppointment(id, on: db)
            let next = try AppointmentLifecycle.next(after: event(record), from: record.status).get()
            try write(record, next, db)
            let updated = try message(for: try reload(id, on: db), on: db)
            if let published = announce(updated) { try SchedulingService.events.append(published, on: db) }
            return updated
        }
    }

    /// The appointment after a change in this transaction.
    func reload(_ id: UUID, on db: Connection) throws -> AppointmentRecord {
        guard let record = try AppointmentStore.find(id, on: db) else { throw RPCError.internalError("appointment vanished") }
        return record
    }
}

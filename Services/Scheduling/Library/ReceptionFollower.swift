import ClinicProto
import ClinicService
import ClinicStore
import Foundation
import Logging
import SwiftProtobuf

/// What scheduling does with reception's events: keeps the patients projection, and the appointment follows the visit
/// (arrived at check-in, in treatment when treatment starts, completed when it is done).
enum ReceptionFollower {
    /// Reception as an event source.
    static let source = EventSource(publisher: "reception", topicPrefix: "clinic.reception.",
                                    replay: Clinic_Reception_V1_Events.replay)

    /// The consumer's handlers (built on the consumer's thread).
    static func handlers(environment: ServiceEnvironment) -> EventHandlers {
        let clock = ClinicClock(timeZone: environment.timeZone)
        let logger = environment.logger
        let handlers = EventHandlers()
        handlers.on(Clinic_Reception_V1_PatientRegistered.self) { db, _, event in
            guard let id = UUIDText.parse(event.patientID) else { return }
            try PatientDirectory.upsert(id: id, name: event.name, phone: event.phone, on: db)
        }
        handlers.on(Clinic_Reception_V1_PatientUpdated.self) { db, _, event in
            guard let id = UUIDText.parse(event.patientID), !event.phone.isEmpty else { return }
            try PatientDirectory.updatePhone(id: id, phone: event.phone, on: db)
        }
        handlers.on(Clinic_Reception_V1_PatientCheckedIn.self) { db, header, event in
            try checkedIn(event, seq: header.seq, clock: clock, logger: logger, on: db)
        }
        handlers.on(Clinic_Reception_V1_TreatmentStarted.self) { db, header, event in
            try follow(event.appointmentID, .startTreatment, visitID: event.visitID, seq: header.seq, logger: logger, on: db) { _ in nil }
        }
        handlers.on(Clinic_Reception_V1_TreatmentCompleted.self) { db, header, event in
            try follow(event.appointmentID, .complete, visitID: event.visitID, seq: header.seq, logger: logger, on: db) { record in
                var completed = Clinic_Scheduling_V1_AppointmentCompleted()
                completed.appointment = SchedulingMessages(clock: clock).appointment(
                    record, confirmations: try AppointmentStore.confirmations(of: [record.id], on: db)[record.id] ?? [])
                return completed
            }
        }
        return handlers
    }

    /// Marks the checked-in appointment arrived and publishes AppointmentArrived, in the consumer's transaction.
    /// A walk-in, an unknown appointment or one in another state is logged and skipped: it never blocks the stream.
    static func checkedIn(_ event: Clinic_Reception_V1_PatientCheckedIn, seq: UInt64, clock: ClinicClock,
                          logger: Logger, on db: Connection) throws {
        guard !event.appointmentID.isEmpty else { return }
        guard let id = UUIDText.parse(event.appointmentID),
              let record = try AppointmentStore.find(id, forUpdate: true, on: db) else {
            logger.warning("check-in for an unknown appointment skipped",
                           metadata: ["check_in_id": "\(event.checkInID)", "seq": "\(seq)"])
            return
        }
        let arrivedAt = event.hasCheckedInAt ? event.checkedInAt.date : Date()
        let sameDay = clock.date(of: record.span.start) == clock.date(of: arrivedAt)
        switch AppointmentLifecycle.next(after: .arrive(sameClinicDay: sameDay), from: record.status) {
        case .failure(let illegal):
            logger.warning("check-in skipped", metadata: ["appointment_id": "\(id.lowercasedText)", "check_in_id": "\(event.checkInID)",
                                                          "reason": "\(illegal)"])
        case .success(let next):
            try AppointmentStore.update(id, status: next, arrivedAt: arrivedAt, on: db)
            guard let updated = try AppointmentStore.find(id, on: db) else { return }
            let confirmations = try AppointmentStore.confirmations(of: [id], on: db)[id] ?? []
            var arrived = Clinic_Scheduling_V1_AppointmentArrived()
            arrived.appointment = SchedulingMessages(clock: clock).appointment(updated, confirmations: confirmations)
            arrived.checkInID = event.checkInID
            try SchedulingService.events.append(arrived, on: db)
            logger.info("appointment arrived by check-in", metadata: ["appointment_id": "\(id.lowercasedText)", "check_in_id": "\(event.checkInID)"])
        }
    }

    /// Moves the visit's appointment on by `event` in the consumer's transaction, and publishes what `announce` makes
    /// of it. A walk-in has no appointment; an appointment already there by scheduling's own rpc (StartTreatment,
    /// CompleteAppointment) or in another state is logged and skipped, so either path reaches the same state once.
    static func follow(_ appointmentID: String, _ event: AppointmentEvent, visitID: String, seq: UInt64, logger: Logger,
                       on db: Connection, announce: (AppointmentRecord) throws -> (any SwiftProtobuf.Message)?) throws {
        guard !appointmentID.isEmpty else { return }
        guard let id = UUIDText.parse(appointmentID), let record = try AppointmentStore.find(id, forUpdate: true, on: db) else {
            logger.warning("visit step for an unknown appointment skipped", metadata: ["visit_id": "\(visitID)", "seq": "\(seq)"])
            return
        }
        switch AppointmentLifecycle.next(after: event, from: record.status) {
        case .failure(let illegal):
            logger.info("visit step already applied or not applicable", metadata: ["appointment_id": "\(id.lowercasedText)",
                                                                                   "visit_id": "\(visitID)", "reason": "\(illegal)"])
        case .success(let next):
            try AppointmentStore.update(id, status: next, on: db)
            guard let updated = try AppointmentStore.find(id, on: db) else { return }
            if let published = try announce(updated) { try SchedulingService.events.append(published, on: db) }
            logger.info("appointment follows the visit", metadata: ["appointment_id": "\(id.lowercasedText)", "status": "\(next.rawValue)"])
        }
    }
}

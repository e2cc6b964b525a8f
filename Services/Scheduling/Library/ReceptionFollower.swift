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
            try follow(event.appointmentID, from: ("visit_id", event.visitID), seq: header.seq, clock: clock, logger: logger, on: db,
                       step: { _ in .startTreatment })
        }
        handlers.on(Clinic_Reception_V1_TreatmentCompleted.self) { db, header, event in
            try follow(event.appointmentID, from: ("visit_id", event.visitID), seq: header.seq, clock: clock, logger: logger, on: db,
                       step: { _ in .complete }) { appointment in
                var completed = Clinic_Scheduling_V1_AppointmentCompleted()
                completed.appointment = appointment
                return completed
            }
        }
        return handlers
    }

    /// Marks the checked-in appointment arrived and publishes AppointmentArrived, in the consumer's transaction.
    static func checkedIn(_ event: Clinic_Reception_V1_PatientCheckedIn, seq: UInt64, clock: ClinicClock,
                          logger: Logger, on db: Connection) throws {
        let arrivedAt = event.hasCheckedInAt ? event.checkedInAt.date : Date()
        try follow(event.appointmentID, from: ("check_in_id", event.checkInID), seq: seq, clock: clock, logger: logger, on: db,
                   arrivedAt: arrivedAt, skipLevel: .warning,
                   step: { record in .arrive(sameClinicDay: clock.date(of: record.span.start) == clock.date(of: arrivedAt)) }) { appointment in
            var arrived = Clinic_Scheduling_V1_AppointmentArrived()
            arrived.appointment = appointment
            arrived.checkInID = event.checkInID
            return arrived
        }
    }

    /// Moves the appointment a reception event names (`from`: the check-in or visit it came from) on by the step `step`
    /// makes of it, in the consumer's transaction, and publishes what `announce` makes of the updated appointment.
    /// A walk-in has no appointment; an unknown appointment, or one the step does not fit (already there by
    /// scheduling's own StartTreatment or CompleteAppointment, or in another state), is logged and skipped: either path
    /// reaches the same state once, and nothing blocks the stream.
    static func follow(_ appointmentID: String, from origin: (key: String, id: String), seq: UInt64, clock: ClinicClock,
                       logger: Logger, on db: Connection, arrivedAt: Date? = nil, skipLevel: Logger.Level = .info,
                       step: (AppointmentRecord) -> AppointmentEvent,
                       announce: ((Clinic_Scheduling_V1_Appointment) -> any SwiftProtobuf.Message)? = nil) throws {
        guard !appointmentID.isEmpty else { return }
        guard let id = UUIDText.parse(appointmentID), let record = try AppointmentStore.find(id, forUpdate: true, on: db) else {
            logger.warning("reception event for an unknown appointment skipped", metadata: [origin.key: "\(origin.id)", "seq": "\(seq)"])
            return
        }
        switch AppointmentLifecycle.next(after: step(record), from: record.status) {
        case .failure(let illegal):
            logger.log(level: skipLevel, "reception event already applied or not applicable",
                       metadata: ["appointment_id": "\(id.lowercasedText)", origin.key: "\(origin.id)", "reason": "\(illegal)"])
        case .success(let next):
            try AppointmentStore.update(id, status: next, arrivedAt: arrivedAt, on: db)
            if let announce, let updated = try AppointmentStore.find(id, on: db) {
                let confirmations = try AppointmentStore.confirmations(of: [id], on: db)[id] ?? []
                try SchedulingService.events.append(announce(SchedulingMessages(clock: clock).appointment(updated, confirmations: confirmations)),
                                                    on: db)
            }
            logger.info("appointment follows reception", metadata: ["appointment_id": "\(id.lowercasedText)", origin.key: "\(origin.id)",
                                                                    "status": "\(next.rawValue)"])
        }
    }
}

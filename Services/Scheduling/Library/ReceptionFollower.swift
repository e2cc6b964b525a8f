import ClinicProto
import ClinicService
import ClinicStore
import Foundation
import Logging

/// What scheduling does with reception's events: keeps the patients projection and turns check-ins into arrivals.
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
}

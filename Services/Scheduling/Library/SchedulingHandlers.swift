import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import Foundation
import Logging

/// Scheduling's rpc handlers for one worker thread: protobuf in, domain rules, SQL, protobuf out.
final class SchedulingHandlers {
    let db: Connection
    let clock: ClinicClock
    let roster: RosterCalculator
    let messages: SchedulingMessages
    let logger: Logger
    /// This worker's copy of doctors, rosters, overrides and leave, for slot search.
    let rosterDirectory = RosterDirectory()

    /// Handlers bound to this thread's own database connection.
    init(db: Connection, environment: ServiceEnvironment) {
        self.db = db
        self.clock = ClinicClock(timeZone: environment.timeZone)
        self.roster = RosterCalculator(clock: clock)
        self.messages = SchedulingMessages(clock: clock)
        self.logger = environment.logger
    }

    /// Every Scheduling and Events rpc, registered on one set of routes.
    func routes() -> WorkerRoutes {
        let routes = WorkerRoutes()
        typealias Scheduling = Clinic_Scheduling_V1_Scheduling
        routes.register(Scheduling.createDoctor) { try self.createDoctor($0, $1) }
        routes.register(Scheduling.updateDoctor) { try self.updateDoctor($0, $1) }
        routes.register(Scheduling.getDoctor) { try self.getDoctor($0, $1) }
        routes.register(Scheduling.listDoctors) { try self.listDoctors($0, $1) }
        routes.register(Scheduling.createChair) { try self.createChair($0, $1) }
        routes.register(Scheduling.updateChair) { try self.updateChair($0, $1) }
        routes.register(Scheduling.getChair) { try self.getChair($0, $1) }
        routes.register(Scheduling.listChairs) { try self.listChairs($0, $1) }
        routes.register(Scheduling.setWeeklyRoster) { try self.setWeeklyRoster($0, $1) }
        routes.register(Scheduling.getRoster) { try self.getRoster($0, $1) }
        routes.register(Scheduling.setRosterOverride) { try self.setRosterOverride($0, $1) }
        routes.register(Scheduling.deleteRosterOverride) { try self.deleteRosterOverride($0, $1) }
        routes.register(Scheduling.addLeave) { try self.addLeave($0, $1) }
        routes.register(Scheduling.cancelLeave) { try self.cancelLeave($0, $1) }
        routes.register(Scheduling.bookAppointment) { try self.bookAppointment($0, $1) }
        routes.register(Scheduling.getAppointment) { try self.getAppointment($0, $1) }
        routes.register(Scheduling.confirmAppointment) { try self.confirmAppointment($0, $1) }
        routes.register(Scheduling.markArrived) { try self.markArrived($0, $1) }
        routes.register(Scheduling.startTreatment) { try self.startTreatment($0, $1) }
        routes.register(Scheduling.completeAppointment) { try self.completeAppointment($0, $1) }
        routes.register(Scheduling.cancelAppointment) { try self.cancelAppointment($0, $1) }
        routes.register(Scheduling.rescheduleAppointment) { try self.rescheduleAppointment($0, $1) }
        routes.register(Scheduling.markNoShow) { try self.markNoShow($0, $1) }
        routes.register(Scheduling.findSlots) { try self.findSlots($0, $1) }
        routes.register(Scheduling.listDayAppointments) { try self.listDayAppointments($0, $1) }
        routes.register(Scheduling.listPatientAppointments) { try self.listPatientAppointments($0, $1) }
        return routes
    }

    // MARK: Shared look-ups

    /// An active doctor, or NOT_FOUND / FAILED_PRECONDITION.
    func activeDoctor(_ id: UUID, on db: Connection) throws -> DoctorRecord {
        guard let doctor = try DoctorStore.doctor(id, on: db) else { throw RPCError.notFound("doctor \(id.lowercasedText) not found") }
        guard doctor.active else { throw RPCError.failedPrecondition("Dr \(doctor.name) is not active") }
        return doctor
    }

    /// An active chair, or NOT_FOUND / FAILED_PRECONDITION.
    func activeChair(_ id: UUID, on db: Connection) throws -> ChairRecord {
        guard let chair = try DoctorStore.chair(id, on: db) else { throw RPCError.notFound("chair \(id.lowercasedText) not found") }
        guard chair.active else { throw RPCError.failedPrecondition("chair \(chair.name) is not active") }
        return chair
    }

    /// A doctor's effective working day, from the stored roster, override and leave.
    func effectiveDay(of doctor: UUID, on date: ClinicDate, db: Connection) throws -> EffectiveDay {
        let weekly = try RosterStore.weekly(of: [doctor], on: db)[doctor] ?? WeeklyRoster()
        let override = try RosterStore.overrides(of: [doctor], from: date, to: date, on: db).first?.plan
        let leave = try RosterStore.leave(of: [doctor], overlapping: clock.span(of: date), on: db).map(\.span)
        return roster.day(date, weekly: weekly, override: override, leave: leave)
    }

    /// The appointment, locked for the change, or NOT_FOUND.
    func lockedAppointment(_ id: UUID, on db: Connection) throws -> AppointmentRecord {
        guard let record = try AppointmentStore.find(id, forUpdate: true, on: db) else {
            throw RPCError.notFound("appointment \(id.lowercasedText) not found")
        }
        return record
    }

    /// The appointment message with its confirmations.
    func message(for record: AppointmentRecord, on db: Connection) throws -> Clinic_Scheduling_V1_Appointment {
        messages.appointment(record, confirmations: try AppointmentStore.confirmations(of: [record.id], on: db)[record.id] ?? [])
    }

    /// Messages for a list of appointments, confirmations loaded in one query.
    func messages(for records: [AppointmentRecord], on db: Connection) throws -> [Clinic_Scheduling_V1_Appointment] {
        let confirmations = try AppointmentStore.confirmations(of: records.map(\.id), on: db)
        return records.map { messages.appointment($0, confirmations: confirmations[$0.id] ?? []) }
    }

    /// ALREADY_EXISTS naming the appointment holding the slot (never any patient data).
    static func slotTaken(_ taken: SlotTaken) -> RPCError {
        let what = taken.byChair ? "the chair" : "the doctor"
        guard let winner = taken.appointmentID else {
            return RPCError(.alreadyExists, "the slot was just taken for \(what); pick another time")
        }
        return RPCError(.alreadyExists, "\(what) is already booked at that time by appointment \(winner.lowercasedText)",
                        violations: [FieldViolation(field: "conflictingAppointmentId", winner.lowercasedText)])
    }
}

extension IllegalTransition: RPCErrorConvertible {
    /// FAILED_PRECONDITION naming the current state.
    public var rpcError: RPCError { RPCError.failedPrecondition(description) }
}

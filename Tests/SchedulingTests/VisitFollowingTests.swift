import ClinicBus
import ClinicProto
import ClinicStore
import ClinicTestSupport
import Foundation
import Testing
@testable import Scheduling

/// The appointment follows reception's visit (arrived, in treatment, completed) from its events; scheduling's own
/// StartTreatment and CompleteAppointment reach the same state, and nothing is applied twice.
@Suite("The appointment follows the visit", .serialized)
struct VisitFollowingTests {
    typealias Reception = Clinic_Reception_V1_Reception

    func status(_ harness: SchedulingHarness, _ id: String) async throws -> Clinic_Scheduling_V1_AppointmentStatus {
        var get = Clinic_Scheduling_V1_GetAppointmentRequest()
        get.appointmentID = id
        return try await harness.call(Scheduling.getAppointment, get).status
    }

    func visitStep<Request>(_ harness: SchedulingHarness, _ method: Method<Request, Clinic_Reception_V1_Visit>, _ request: Request) async throws {
        _ = try await harness.client.call(method, request, options: await .staff([.doctor], timeout: .seconds(10)))
    }

    func start(_ visitID: String) -> Clinic_Reception_V1_StartTreatmentRequest {
        var request = Clinic_Reception_V1_StartTreatmentRequest()
        request.visitID = visitID
        return request
    }

    func complete(_ visitID: String) -> Clinic_Reception_V1_CompleteTreatmentRequest {
        var request = Clinic_Reception_V1_CompleteTreatmentRequest()
        request.visitID = visitID
        var treatment = Clinic_Reception_V1_Treatment()
        treatment.kind = .cleaning
        treatment.feeCodes = ["CLEAN-01"]
        request.treatments = [treatment]
        return request
    }

    /// A booked patient checked in at reception: the visit (in the doctor's queue) and the appointment.
    func checkedIn(_ harness: SchedulingHarness) async throws -> (visit: Clinic_Reception_V1_Visit, appointment: String) {
        let doctor = try await harness.makeDoctor(aroundTheClock: true)
        let patient = try await harness.registerPatient()
        let booked = try await harness.call(Scheduling.bookAppointment,
                                            bookingRequest(doctor: doctor.id, start: Day(inDays: 1).at(9), patientID: patient.id))
        var checkIn = Clinic_Reception_V1_CheckInRequest()
        checkIn.patientID = patient.id
        checkIn.appointmentID = booked.id
        let visit = try await harness.call(Reception.startVisit, checkIn)
        #expect(visit.status == .waiting && visit.doctorID == doctor.id)
        #expect(try await eventually { try await status(harness, booked.id) == .arrived })
        return (visit, booked.id)
    }

    func completedEvents(_ harness: SchedulingHarness, appointment: String) throws -> Int {
        let db = try harness.database()
        defer { db.close() }
        return try db.query("SELECT payload FROM outbox WHERE type = 'clinic.scheduling.v1.AppointmentCompleted'").filter { row in
            try Clinic_Scheduling_V1_AppointmentCompleted(serializedBytes: try row.decode("payload", as: [UInt8].self)).appointment.id == appointment
        }.count
    }

    @Test func receptionsTreatmentStepsMoveTheAppointmentOn() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let (visit, appointment) = try await checkedIn(harness)
        try await visitStep(harness, Reception.startTreatment, start(visit.id))
        #expect(try await eventually { try await status(harness, appointment) == .inTreatment })
        try await visitStep(harness, Reception.completeTreatment, complete(visit.id))
        #expect(try await eventually { try await status(harness, appointment) == .completed })
        #expect(try await eventually { try completedEvents(harness, appointment: appointment) == 1 })
    }

    @Test func schedulingsOwnRpcsAndReceptionsEventsReachTheSameStateOnce() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let (visit, appointment) = try await checkedIn(harness)
        var startHere = Clinic_Scheduling_V1_StartTreatmentRequest()
        startHere.appointmentID = appointment
        _ = try await harness.call(Scheduling.startTreatment, startHere)
        try await visitStep(harness, Reception.startTreatment, start(visit.id))
        var completeHere = Clinic_Scheduling_V1_CompleteAppointmentRequest()
        completeHere.appointmentID = appointment
        _ = try await harness.call(Scheduling.completeAppointment, completeHere)
        try await visitStep(harness, Reception.completeTreatment, complete(visit.id))

        // Reception's events are all applied (its checkpoint moves past them) and change nothing more.
        let db = try harness.database()
        defer { db.close() }
        let receptionDB = try Connection(url: harness.receptionURL, logger: SchedulingHarness.logger)
        defer { receptionDB.close() }
        #expect(try await eventually {
            let published = try receptionDB.query("SELECT max(published_seq) AS seq FROM outbox").first?.decode("seq", as: Int64?.self) ?? 0
            let applied = try db.query("SELECT last_seq FROM event_checkpoints WHERE publisher = 'reception'").first?
                .decode("last_seq", as: Int64.self) ?? -1
            return published > 0 && applied == published
        })
        #expect(try await status(harness, appointment) == .completed)
        #expect(try completedEvents(harness, appointment: appointment) == 1)
    }
}

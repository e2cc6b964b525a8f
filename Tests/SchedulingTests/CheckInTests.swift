import ClinicBus
import ClinicProto
import ClinicStore
import ClinicTestSupport
import Foundation
import Testing
@testable import Scheduling

/// Reception's check-in event marks the appointment arrived; scheduling's projection follows reception's patients.
@Suite("Check-in", .serialized)
struct CheckInTests {
    @Test func aCheckInMarksTheAppointmentArrivedAndPublishesIt() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        let patient = try await harness.registerPatient(name: "韩梅梅")
        let booked = try await harness.call(Scheduling.bookAppointment,
                                            bookingRequest(doctor: doctor.id, start: Day(inDays: 1).at(9), patientID: patient.id))

        // Reception asks scheduling for the appointment: one it does not know is refused at the desk.
        var stray = Clinic_Reception_V1_CheckInPatientRequest()
        stray.patientID = patient.id
        stray.appointmentID = UUID().uuidString
        #expect(await harness.failure(Clinic_Reception_V1_Reception.checkInPatient, stray)?.code == .notFound)

        var checkIn = Clinic_Reception_V1_CheckInPatientRequest()
        checkIn.patientID = patient.id
        checkIn.appointmentID = booked.id
        let receipt = try await harness.call(Clinic_Reception_V1_Reception.checkInPatient, checkIn)

        var get = Clinic_Scheduling_V1_GetAppointmentRequest()
        get.appointmentID = booked.id
        var appointment = Clinic_Scheduling_V1_Appointment()
        #expect(try await eventually {
            appointment = try await harness.call(Scheduling.getAppointment, get)
            return appointment.status == .arrived
        })
        #expect(appointment.hasArrivedAt)
        let events = try await publishedEvents(harness, count: 2)
        let arrived = try #require(events.first { $0.header.type == "clinic.scheduling.v1.AppointmentArrived" })
        let event = try Clinic_Scheduling_V1_AppointmentArrived(serializedBytes: arrived.payload)
        #expect(event.checkInID == receipt.id)
        #expect(event.appointment.id == booked.id)

        // The patient reached the projection through reception's events too.
        let db = try harness.database()
        defer { db.close() }
        #expect(try await eventually {
            try db.query("SELECT name FROM patients WHERE id = \(try #require(UUID(uuidString: patient.id)))").first?
                .decode("name", as: String.self) == "韩梅梅"
        })
        #expect(try db.query("SELECT last_seq FROM event_checkpoints WHERE publisher = 'reception'").first?
            .decode("last_seq", as: Int64.self) ?? 0 >= 2)
    }

    @Test func aCheckInForAnAppointmentNoLongerToComeForIsRefusedAtTheDesk() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        let patient = try await harness.registerPatient()
        let cancelledOne = try await harness.call(Scheduling.bookAppointment,
                                                  bookingRequest(doctor: doctor.id, start: Day(inDays: 3).at(9), patientID: patient.id))
        var cancel = Clinic_Scheduling_V1_CancelAppointmentRequest()
        cancel.appointmentID = cancelledOne.id
        cancel.reason = "改期"
        _ = try await harness.call(Scheduling.cancelAppointment, cancel)
        let later = try await harness.call(Scheduling.bookAppointment,
                                           bookingRequest(doctor: doctor.id, start: Day(inDays: 3).at(10), patientID: patient.id))
        var checkIn = Clinic_Reception_V1_CheckInPatientRequest()
        checkIn.patientID = patient.id
        checkIn.appointmentID = cancelledOne.id
        let refused = await harness.failure(Clinic_Reception_V1_Reception.checkInPatient, checkIn)
        #expect(refused?.code == .failedPrecondition)
        #expect(refused?.message.contains("is cancelled") == true)
        checkIn.appointmentID = later.id
        _ = try await harness.call(Clinic_Reception_V1_Reception.checkInPatient, checkIn)
        // Days ahead still counts as arrival: it was booked.
        var get = Clinic_Scheduling_V1_GetAppointmentRequest()
        get.appointmentID = later.id
        #expect(try await eventually { try await harness.call(Scheduling.getAppointment, get).status == .arrived })
        get.appointmentID = cancelledOne.id
        #expect(try await harness.call(Scheduling.getAppointment, get).status == .cancelled)
    }
}

import ClinicBus
import ClinicProto
import Foundation
import Testing
@testable import Scheduling

@Suite("Rescheduling", .serialized)
struct RescheduleTests {
    @Test func aMoveLinksBothWaysAndPublishes() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        let day = Day(inDays: 7)
        let original = try await harness.call(Scheduling.bookAppointment, bookingRequest(doctor: doctor.id, start: day.at(9), minutes: 60))
        var move = Clinic_Scheduling_V1_RescheduleAppointmentRequest()
        move.appointmentID = original.id
        // Overlaps its own old slot: the old one is freed first.
        move.startTime = .init(date: day.at(9, 30))
        move.reason = "患者要求"
        let moved = try await harness.call(Scheduling.rescheduleAppointment, move, idempotencyKey: UUID().uuidString)
        #expect(moved.previous.id == original.id)
        #expect(moved.previous.status == .rescheduled)
        #expect(moved.previous.rescheduledToID == moved.appointment.id)
        #expect(moved.appointment.rescheduledFromID == original.id)
        #expect(moved.appointment.status == .booked)
        #expect(moved.appointment.durationMinutes == 60)
        #expect(moved.appointment.prospect.name == "李雷")
        #expect(moved.appointment.startTime.date == day.at(9, 30))

        let again = await harness.failure(Scheduling.rescheduleAppointment, move)
        #expect(again?.code == .failedPrecondition)
        #expect(again?.message == "the appointment is rescheduled; it cannot be rescheduled")

        let events = try await publishedEvents(harness, count: 3)
        #expect(events.map(\.header.type) == ["clinic.scheduling.v1.AppointmentBooked", "clinic.scheduling.v1.AppointmentRescheduled",
                                              "clinic.scheduling.v1.AppointmentBooked"])
        let rescheduled = try Clinic_Scheduling_V1_AppointmentRescheduled(serializedBytes: events[1].payload)
        #expect(rescheduled.reason == "患者要求")
        #expect(rescheduled.appointment.id == moved.appointment.id)
    }

    @Test func aMoveOntoATakenSlotChangesNothing() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        let other = try await harness.makeDoctor(name: "李医生")
        let day = Day(inDays: 7)
        let first = try await harness.call(Scheduling.bookAppointment, bookingRequest(doctor: doctor.id, start: day.at(9)))
        let second = try await harness.call(Scheduling.bookAppointment, bookingRequest(doctor: doctor.id, start: day.at(10)))
        var move = Clinic_Scheduling_V1_RescheduleAppointmentRequest()
        move.appointmentID = second.id
        move.startTime = .init(date: day.at(9))
        let clash = await harness.failure(Scheduling.rescheduleAppointment, move)
        #expect(clash?.code == .alreadyExists)
        #expect(clash?.violations.first?.description_p == first.id)
        var get = Clinic_Scheduling_V1_GetAppointmentRequest()
        get.appointmentID = second.id
        #expect(try await harness.call(Scheduling.getAppointment, get).status == .booked)
        // Another doctor at the same time is fine.
        move.doctorID = other.id
        let moved = try await harness.call(Scheduling.rescheduleAppointment, move)
        #expect(moved.appointment.doctorID == other.id)
        #expect(moved.appointment.doctorName == "李医生")
    }
}

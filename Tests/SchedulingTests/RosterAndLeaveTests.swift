import ClinicBus
import ClinicProto
import Foundation
import Testing
@testable import Scheduling

@Suite("Rosters and leave", .serialized)
struct RosterAndLeaveTests {
    @Test func weeklyRostersAreValidated() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        var roster = Clinic_Scheduling_V1_SetWeeklyRosterRequest()
        roster.doctorID = doctor.id
        var bad = Clinic_Scheduling_V1_RosterDay()
        bad.weekday = 8
        bad.hours = .init(start: "18:00", end: "09:00")
        var overlapping = Clinic_Scheduling_V1_RosterDay()
        overlapping.weekday = 1
        overlapping.hours = .init(start: "09:00", end: "18:00")
        overlapping.breaks = [.init(start: "12:00", end: "13:00"), .init(start: "12:30", end: "14:00"), .init(start: "17:30", end: "19:00")]
        roster.days = [bad, overlapping]
        let error = await harness.failure(Scheduling.setWeeklyRoster, roster)
        #expect(error?.code == .invalidArgument)
        // The weekday's range is the contract's rule; hours that end before they start and breaks that overlap
        // or stick out are the roster's own.
        #expect(Set(error?.violations.map(\.field) ?? []) == ["days[0].weekday"])
        roster.days[0].weekday = 2
        let domain = await harness.failure(Scheduling.setWeeklyRoster, roster)
        #expect(Set(domain?.violations.map(\.field) ?? []) == ["days[0].hours.end", "days[1].breaks[1]", "days[1].breaks[2]"])

        roster.days = [overlapping]
        roster.days[0].breaks = [.init(start: "12:00", end: "13:00")]
        let saved = try await harness.call(Scheduling.setWeeklyRoster, roster)
        #expect(saved.days.map(\.weekday) == [1])
        var get = Clinic_Scheduling_V1_GetRosterRequest()
        get.doctorID = doctor.id
        get.fromDate = "2026-11-23"
        get.toDate = "2026-11-24"
        let view = try await harness.call(Scheduling.getRoster, get)
        #expect(view.days.map(\.date) == ["2026-11-23", "2026-11-24"])
        #expect(view.days[0].working.map { "\($0.start)–\($0.end)" } == ["09:00–12:00", "13:00–18:00"])
        #expect(view.days[1].working.isEmpty)
    }

    @Test func leaveListsAndPublishesTheAppointmentsToMove() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        let day = Day(inDays: 7)
        let inside = try await harness.call(Scheduling.bookAppointment, bookingRequest(doctor: doctor.id, start: day.at(9)))
        let outside = try await harness.call(Scheduling.bookAppointment, bookingRequest(doctor: doctor.id, start: Day(inDays: 9).at(9)))
        var leave = Clinic_Scheduling_V1_AddLeaveRequest()
        leave.doctorID = doctor.id
        leave.startDate = day.date.description
        leave.endDate = day.date.adding(days: 1).description
        leave.reason = "年假"
        let added = try await harness.call(Scheduling.addLeave, leave, idempotencyKey: UUID().uuidString)
        #expect(added.affectedAppointments.map(\.id) == [inside.id])
        #expect(added.leave.startLocal == "\(day.date) 00:00")
        #expect(added.leave.endLocal == "\(day.date.adding(days: 2)) 00:00")
        // Nothing was cancelled.
        var get = Clinic_Scheduling_V1_GetAppointmentRequest()
        get.appointmentID = inside.id
        #expect(try await harness.call(Scheduling.getAppointment, get).status == .booked)
        _ = outside

        let events = try await publishedEvents(harness, count: 3)
        let published = try #require(events.last)
        #expect(published.header.type == "clinic.scheduling.v1.DoctorLeaveAdded")
        let event = try Clinic_Scheduling_V1_DoctorLeaveAdded(serializedBytes: published.payload)
        #expect(event.leave.id == added.leave.id)
        #expect(event.affectedAppointments.map(\.id) == [inside.id])

        // No new bookings while on leave; withdrawn leave frees the day again.
        let onLeave = await harness.failure(Scheduling.bookAppointment, bookingRequest(doctor: doctor.id, start: day.at(15)))
        #expect(onLeave?.message == "Dr 王医生 is on leave on \(day.date)")
        var cancel = Clinic_Scheduling_V1_CancelLeaveRequest()
        cancel.leaveID = added.leave.id
        #expect(try await harness.call(Scheduling.cancelLeave, cancel).cancelled)
        _ = try await harness.call(Scheduling.bookAppointment, bookingRequest(doctor: doctor.id, start: day.at(15)))

        leave.startDate = ""
        #expect(await harness.failure(Scheduling.addLeave, leave)?.code == .invalidArgument)
    }

    @Test func anOverrideMayNotStrandAppointments() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        let day = Day(inDays: 7)
        let late = try await harness.call(Scheduling.bookAppointment, bookingRequest(doctor: doctor.id, start: day.at(17)))
        var shorter = Clinic_Scheduling_V1_SetRosterOverrideRequest()
        shorter.override.doctorID = doctor.id
        shorter.override.date = day.date.description
        shorter.override.hours = .init(start: "08:00", end: "12:00")
        let error = await harness.failure(Scheduling.setRosterOverride, shorter)
        #expect(error?.code == .failedPrecondition)
        #expect(error?.message.contains(late.id) == true)
        shorter.override.hours = .init(start: "08:00", end: "18:00")
        shorter.override.reason = "早退"
        #expect(try await harness.call(Scheduling.setRosterOverride, shorter).reason == "早退")
        var dayOff = shorter
        dayOff.override.dayOff = true
        #expect(await harness.failure(Scheduling.setRosterOverride, dayOff)?.message.contains(late.id) == true)

        var get = Clinic_Scheduling_V1_GetRosterRequest()
        get.doctorID = doctor.id
        get.fromDate = day.date.description
        get.toDate = day.date.description
        let view = try await harness.call(Scheduling.getRoster, get)
        #expect(view.days.first?.note == "override")
        #expect(view.days.first?.working.map(\.end) == ["18:00"])

        var delete = Clinic_Scheduling_V1_DeleteRosterOverrideRequest()
        delete.doctorID = doctor.id
        delete.date = day.date.description
        #expect(try await harness.call(Scheduling.deleteRosterOverride, delete).deleted)
        #expect(try await harness.call(Scheduling.deleteRosterOverride, delete).deleted == false)
    }
}

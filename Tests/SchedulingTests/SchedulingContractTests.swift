import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import Foundation
import Testing
@testable import Scheduling

/// The contract as a whole: every rpc handled, events in the outbox and served by Replay, the day's book.
@Suite("Scheduling contract", .serialized)
struct SchedulingContractTests {
    @Test func everyContractMethodHasAHandler() throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let db = try harness.database()
        defer { db.close() }
        let routes = try SchedulingService.routes(db: db, environment: ServiceEnvironment(timeZone: .gmt, logger: SchedulingHarness.logger))
        #expect(routes.registeredMethods == SchedulingService.contractMethods)
        #expect(SchedulingService.contractMethods.count == Clinic_Scheduling_V1_Scheduling.allMethods.count + 1)
    }

    @Test func eventsAreWrittenWithTheChangeAndReplayedInOrder() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        let day = Day(inDays: 7)
        let booked = try await harness.call(Scheduling.bookAppointment, bookingRequest(doctor: doctor.id, start: day.at(9)))
        var confirm = Clinic_Scheduling_V1_ConfirmAppointmentRequest()
        confirm.appointmentID = booked.id
        confirm.channel = .phone
        _ = try await harness.call(Scheduling.confirmAppointment, confirm)
        var cancel = Clinic_Scheduling_V1_CancelAppointmentRequest()
        cancel.appointmentID = booked.id
        cancel.reason = "不来了"
        _ = try await harness.call(Scheduling.cancelAppointment, cancel)
        // A failed booking writes nothing.
        _ = await harness.failure(Scheduling.bookAppointment, bookingRequest(doctor: doctor.id, start: day.at(12, 30)))

        let events = try await publishedEvents(harness, count: 3)
        #expect(events.map(\.header.seq) == [1, 2, 3])
        #expect(events.allSatisfy { $0.header.publisher == "scheduling" })
        #expect(events.map(\.header.type) == ["clinic.scheduling.v1.AppointmentBooked", "clinic.scheduling.v1.AppointmentConfirmed",
                                              "clinic.scheduling.v1.AppointmentCancelled"])
        let cancelled = try Clinic_Scheduling_V1_AppointmentCancelled(serializedBytes: events[2].payload)
        #expect(cancelled.reason == "不来了")
        #expect(cancelled.appointment.status == .cancelled)
        #expect(cancelled.appointment.confirmations.count == 1)
        let db = try harness.database()
        defer { db.close() }
        #expect(try db.query("SELECT topic FROM outbox ORDER BY id").map { try $0.decode("topic", as: String.self) }
                == ["clinic.scheduling.AppointmentBooked", "clinic.scheduling.AppointmentConfirmed", "clinic.scheduling.AppointmentCancelled"])
        var replay = Clinic_Bus_V1_ReplayRequest()
        replay.afterSeq = 2
        #expect(try await harness.call(Clinic_Scheduling_V1_Events.replay, replay).events.map(\.header.seq) == [3])
    }

    @Test func theDayViewUsesLocalMidnightAndNames() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor(name: "王医生")
        let other = try await harness.makeDoctor(name: "李医生")
        let chair = try await harness.makeChair(name: "3号椅")
        let day = Day(inDays: 7)
        // 08:00 local is 00:00 UTC: the same UTC day as the previous local evening, but another clinic day.
        let early = try await harness.call(Scheduling.bookAppointment, bookingRequest(doctor: doctor.id, chair: chair.id, start: day.at(8)))
        let late = try await harness.call(Scheduling.bookAppointment, bookingRequest(doctor: other.id, start: day.at(19, 30)))
        let eveningBefore = try await harness.call(Scheduling.bookAppointment,
                                                   bookingRequest(doctor: doctor.id, start: Day(inDays: 6).at(19, 30)))
        // 07:30 local the next morning is still the UTC date of `day`: it belongs to the next clinic day.
        var earlyStart = Clinic_Scheduling_V1_SetRosterOverrideRequest()
        earlyStart.override.doctorID = doctor.id
        earlyStart.override.date = day.date.adding(days: 1).description
        earlyStart.override.hours = .init(start: "07:00", end: "20:00")
        _ = try await harness.call(Scheduling.setRosterOverride, earlyStart)
        let nextMorning = try await harness.call(Scheduling.bookAppointment,
                                                 bookingRequest(doctor: doctor.id, start: Day(inDays: 8).at(7, 30)))
        #expect(ClinicClock(timeZone: .gmt).date(of: nextMorning.startTime.date) == day.date)
        let dropped = try await harness.call(Scheduling.bookAppointment, bookingRequest(doctor: other.id, start: day.at(10)))
        var cancel = Clinic_Scheduling_V1_CancelAppointmentRequest()
        cancel.appointmentID = dropped.id
        cancel.reason = "有事"
        _ = try await harness.call(Scheduling.cancelAppointment, cancel)

        var list = Clinic_Scheduling_V1_ListDayAppointmentsRequest()
        list.date = day.date.description
        let book = try await harness.call(Scheduling.listDayAppointments, list)
        #expect(book.date == day.date.description)
        #expect(book.appointments.map(\.id) == [early.id, late.id])
        #expect(!book.appointments.contains { $0.id == eveningBefore.id || $0.id == nextMorning.id })
        #expect(book.appointments.first?.chairName == "3号椅")
        #expect(book.appointments.first?.startLocal == "\(day.date) 08:00")
        list.includeInactive = true
        #expect(try await harness.call(Scheduling.listDayAppointments, list).appointments.map(\.id) == [early.id, dropped.id, late.id])
        list.doctorID = doctor.id
        #expect(try await harness.call(Scheduling.listDayAppointments, list).appointments.map(\.id) == [early.id])
        list.doctorID = ""
        list.chairID = chair.id
        #expect(try await harness.call(Scheduling.listDayAppointments, list).appointments.map(\.id) == [early.id])
        list.date = "2026-13-01"
        #expect(await harness.failure(Scheduling.listDayAppointments, list)?.violations.map(\.field) == ["date"])
    }

    @Test func doctorsAndChairsAreManaged() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor(name: "赵医生", specialty: "Implants")
        var update = Clinic_Scheduling_V1_UpdateDoctorRequest()
        update.doctorID = doctor.id
        update.title = "主治医师"
        let updated = try await harness.call(Scheduling.updateDoctor, update)
        #expect(updated.title == "主治医师")
        #expect(updated.name == "赵医生")
        var list = Clinic_Scheduling_V1_ListDoctorsRequest()
        list.specialty = "implants"
        #expect(try await harness.call(Scheduling.listDoctors, list).doctors.map(\.id) == [doctor.id])
        var get = Clinic_Scheduling_V1_GetDoctorRequest()
        get.doctorID = UUID().uuidString
        #expect(await harness.failure(Scheduling.getDoctor, get)?.code == .notFound)
        #expect(await harness.failure(Scheduling.createDoctor, Clinic_Scheduling_V1_CreateDoctorRequest())?.violations.map(\.field) == ["name"])

        let chair = try await harness.makeChair()
        var retire = Clinic_Scheduling_V1_UpdateChairRequest()
        retire.chairID = chair.id
        retire.active = .deactivate
        #expect(try await harness.call(Scheduling.updateChair, retire).active == false)
        #expect(try await harness.call(Scheduling.listChairs, Clinic_Scheduling_V1_ListChairsRequest()).chairs.isEmpty)
        var all = Clinic_Scheduling_V1_ListChairsRequest()
        all.includeInactive = true
        #expect(try await harness.call(Scheduling.listChairs, all).chairs.map(\.id) == [chair.id])
        var getChair = Clinic_Scheduling_V1_GetChairRequest()
        getChair.chairID = chair.id
        let fetched = try await harness.call(Scheduling.getChair, getChair)
        #expect(fetched.id == chair.id && fetched.name == chair.name && fetched.active == false)
        getChair.chairID = UUID().uuidString
        #expect(await harness.failure(Scheduling.getChair, getChair)?.code == .notFound)
        getChair.chairID = "chair-1"
        #expect(await harness.failure(Scheduling.getChair, getChair)?.violations.map(\.field) == ["chairId"])
        let inactive = await harness.failure(Scheduling.bookAppointment, bookingRequest(doctor: doctor.id, chair: chair.id, start: Day(inDays: 7).at(9)))
        #expect(inactive?.code == .failedPrecondition)
    }
}

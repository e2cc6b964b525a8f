import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import Testing
@testable import Scheduling

/// Booking over a real bus and a real PostgreSQL schema: the rules, the patient check, and no double booking.
@Suite("Booking", .serialized)
struct BookingTests {
    @Test func aProspectIsBookedInsideWorkingHours() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        let chair = try await harness.makeChair()
        let day = Day(inDays: 7)
        let booked = try await harness.call(Scheduling.bookAppointment, bookingRequest(doctor: doctor.id, chair: chair.id, start: day.at(9)))
        #expect(booked.status == .booked)
        #expect(booked.doctorName == "王医生")
        #expect(booked.chairName == "1号椅")
        #expect(booked.patientName == "李雷")
        #expect(booked.prospect.phone == "13912345678")
        #expect(booked.startLocal == "\(day.date) 09:00")
        #expect(booked.endTime.date == day.at(9, 30))
        #expect(booked.bookedBy == CallOptions.testMemberID)
        #expect(booked.version == 1)
        var get = Clinic_Scheduling_V1_GetAppointmentRequest()
        get.appointmentID = booked.id
        #expect(try await harness.call(Scheduling.getAppointment, get) == booked)
    }

    @Test func everyInvalidFieldIsNamedAndNoPhoneIsEchoed() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        var request = bookingRequest(doctor: "not-a-doctor", start: Date().addingTimeInterval(-3600), minutes: 500)
        request.prospect.phone = "555-1234"
        request.prospect.name = ""
        let error = try #require(await harness.failure(Scheduling.bookAppointment, request))
        #expect(error.code == .invalidArgument)
        // The contract's field rules are checked before the handler runs, every one of them at once …
        #expect(Set(error.violations.map(\.field)) == ["prospect.name", "prospect.phone", "doctorId", "durationMinutes"])
        #expect(!error.message.contains("555") && !error.violations.contains { $0.description_p.contains("555") })
        // … and a request of the right shape then meets the domain's rules: no start in the past.
        let past = try #require(await harness.failure(Scheduling.bookAppointment,
                                                      bookingRequest(doctor: UUID().uuidString, start: Date().addingTimeInterval(-3600))))
        #expect(past.violations.map(\.field) == ["startTime"])
        #expect(past.violations.first?.description_p == "must not be in the past")
        var missingStart = bookingRequest(doctor: UUID().uuidString, start: Date())
        missingStart.clearStartTime()
        #expect(await harness.failure(Scheduling.bookAppointment, missingStart)?.violations.map(\.field) == ["startTime"])
    }

    @Test func doctorsAndChairsMustExistAndBeActive() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let day = Day(inDays: 7)
        #expect(await harness.failure(Scheduling.bookAppointment, bookingRequest(doctor: UUID().uuidString, start: day.at(9)))?.code == .notFound)
        let doctor = try await harness.makeDoctor()
        #expect(await harness.failure(Scheduling.bookAppointment,
                                      bookingRequest(doctor: doctor.id, chair: UUID().uuidString, start: day.at(9)))?.code == .notFound)
        var deactivate = Clinic_Scheduling_V1_UpdateDoctorRequest()
        deactivate.doctorID = doctor.id
        deactivate.active = .deactivate
        #expect(try await harness.call(Scheduling.updateDoctor, deactivate).active == false)
        let inactive = await harness.failure(Scheduling.bookAppointment, bookingRequest(doctor: doctor.id, start: day.at(9)))
        #expect(inactive?.code == .failedPrecondition)
    }

    @Test func bookingsMustLieInsideWorkingTime() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        let day = Day(inDays: 7)
        for start in [day.at(7, 45), day.at(11, 45), day.at(12, 15), day.at(19, 45)] {
            let error = await harness.failure(Scheduling.bookAppointment, bookingRequest(doctor: doctor.id, start: start))
            #expect(error?.code == .failedPrecondition)
            #expect(error?.message == "outside Dr 王医生's working hours on \(day.date) (08:00–12:00, 13:00–20:00)")
        }
        var dayOff = Clinic_Scheduling_V1_SetRosterOverrideRequest()
        dayOff.override.doctorID = doctor.id
        dayOff.override.date = day.date.description
        dayOff.override.dayOff = true
        _ = try await harness.call(Scheduling.setRosterOverride, dayOff)
        let off = await harness.failure(Scheduling.bookAppointment, bookingRequest(doctor: doctor.id, start: day.at(9)))
        #expect(off?.message == "Dr 王医生 does not work on \(day.date)")
    }

    @Test func thirtyTwoDesksRacingForOneSlotLeaveOneBooking() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        let start = Day(inDays: 7).at(10)
        let outcomes = await withTaskGroup(of: Result<String, RPCError>.self) { group in
            for _ in 0..<32 {
                group.addTask {
                    await rpcResult { try await harness.call(Scheduling.bookAppointment, bookingRequest(doctor: doctor.id, start: start)).id }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let winners = outcomes.compactMap { try? $0.get() }
        let losers = outcomes.compactMap { if case .failure(let error) = $0 { error } else { nil } }
        #expect(winners.count == 1, "losers: \(Set(losers.map { "\($0.code): \($0.message)" }))")
        #expect(losers.count == 31)
        let winner = try #require(winners.first)
        #expect(losers.allSatisfy { $0.code == .alreadyExists && $0.message.contains(winner) })
        #expect(losers.allSatisfy { $0.violations.first?.field == "conflictingAppointmentId" && $0.violations.first?.description_p == winner })
        #expect(losers.allSatisfy { !$0.message.contains("13912345678") })
        let db = try harness.database()
        defer { db.close() }
        #expect(try db.query("SELECT count(*) AS n FROM appointments WHERE status = 'booked'").first?.decode("n", as: Int.self) == 1)
    }

    @Test func aChairCannotHoldTwoDoctorsAtOnce() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let first = try await harness.makeDoctor(name: "王医生")
        let second = try await harness.makeDoctor(name: "李医生")
        let chair = try await harness.makeChair()
        let day = Day(inDays: 7)
        let booked = try await harness.call(Scheduling.bookAppointment, bookingRequest(doctor: first.id, chair: chair.id, start: day.at(9), minutes: 60))
        let clash = await harness.failure(Scheduling.bookAppointment, bookingRequest(doctor: second.id, chair: chair.id, start: day.at(9, 30)))
        #expect(clash?.code == .alreadyExists)
        #expect(clash?.message == "the chair is already booked at that time by appointment \(booked.id)")
        // Back to back is fine.
        _ = try await harness.call(Scheduling.bookAppointment, bookingRequest(doctor: second.id, chair: chair.id, start: day.at(10)))
    }

    @Test func aCancelledSlotCanBeBookedAgain() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        let start = Day(inDays: 7).at(15)
        let first = try await harness.call(Scheduling.bookAppointment, bookingRequest(doctor: doctor.id, start: start))
        var cancel = Clinic_Scheduling_V1_CancelAppointmentRequest()
        cancel.appointmentID = first.id
        #expect(await harness.failure(Scheduling.cancelAppointment, cancel)?.violations.map(\.field) == ["reason"])
        cancel.reason = "患者出差"
        let cancelled = try await harness.call(Scheduling.cancelAppointment, cancel)
        #expect(cancelled.status == .cancelled)
        #expect(cancelled.cancelReason == "患者出差")
        #expect(cancelled.version == 2)
        let again = try await harness.call(Scheduling.bookAppointment, bookingRequest(doctor: doctor.id, start: start))
        #expect(again.id != first.id)
        let twice = await harness.failure(Scheduling.cancelAppointment, cancel)
        #expect(twice?.code == .failedPrecondition)
        #expect(twice?.message == "the appointment is cancelled; it cannot be cancelled")
    }

    @Test func aRetryWithTheSameIdempotencyKeyBooksOnce() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        let request = bookingRequest(doctor: doctor.id, start: Day(inDays: 7).at(16))
        let key = UUID().uuidString
        let first = try await harness.call(Scheduling.bookAppointment, request, idempotencyKey: key)
        let again = try await harness.call(Scheduling.bookAppointment, request, idempotencyKey: key)
        #expect(again == first)
        let db = try harness.database()
        defer { db.close() }
        #expect(try db.query("SELECT count(*) AS n FROM appointments").first?.decode("n", as: Int.self) == 1)
    }

    @Test func registeredPatientsAreCheckedWithReception() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        let day = Day(inDays: 7)
        let unknown = await harness.failure(Scheduling.bookAppointment, bookingRequest(doctor: doctor.id, start: day.at(9), patientID: UUID().uuidString))
        #expect(unknown?.code == .notFound)
        let patient = try await harness.registerPatient(name: "韩梅梅")
        let booked = try await harness.call(Scheduling.bookAppointment, bookingRequest(doctor: doctor.id, start: day.at(9), patientID: patient.id))
        #expect(booked.patientID == patient.id)
        #expect(booked.patientName == "韩梅梅")
        #expect(!booked.hasProspect)

        var list = Clinic_Scheduling_V1_ListPatientAppointmentsRequest()
        list.patientID = patient.id
        let appointments = try await harness.call(Scheduling.listPatientAppointments, list)
        #expect(appointments.upcoming.map(\.id) == [booked.id])
        #expect(appointments.past.isEmpty)
    }

    @Test func theLifecycleRunsOverTheBus() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        // Arrival is not tied to the appointment's day (only a no-show's late arrival is), so any future slot will do.
        let booked = try await harness.call(Scheduling.bookAppointment, bookingRequest(doctor: doctor.id, start: Day(inDays: 1).at(9)))
        let id = booked.id
        var confirm = Clinic_Scheduling_V1_ConfirmAppointmentRequest()
        confirm.appointmentID = id
        confirm.channel = .wechat
        let confirmed = try await harness.call(Scheduling.confirmAppointment, confirm)
        #expect(confirmed.status == .confirmed)
        #expect(confirmed.confirmations.map(\.channel) == [.wechat])
        var treat = Clinic_Scheduling_V1_StartTreatmentRequest()
        treat.appointmentID = id
        let notYet = await harness.failure(Scheduling.startTreatment, treat)
        #expect(notYet?.code == .failedPrecondition)
        #expect(notYet?.message.contains("confirmed") == true)
        var noShow = Clinic_Scheduling_V1_MarkNoShowRequest()
        noShow.appointmentID = id
        #expect(await harness.failure(Scheduling.markNoShow, noShow)?.code == .failedPrecondition)
        var arrive = Clinic_Scheduling_V1_MarkArrivedRequest()
        arrive.appointmentID = id
        let arrived = try await harness.call(Scheduling.markArrived, arrive)
        #expect(arrived.status == .arrived)
        #expect(arrived.hasArrivedAt)
        #expect(try await harness.call(Scheduling.startTreatment, treat).status == .inTreatment)
        var complete = Clinic_Scheduling_V1_CompleteAppointmentRequest()
        complete.appointmentID = id
        complete.notes = "下次复查"
        let completed = try await harness.call(Scheduling.completeAppointment, complete)
        #expect(completed.status == .completed)
        #expect(completed.notes == "下次复查")
        #expect(completed.version == 5)
    }
}

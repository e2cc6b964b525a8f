import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import Testing
@testable import Reception

/// The queue view over the bus (one query, ordered by the pure function), the desk's moves, the estimated wait from
/// the doctor's own treatment times, and the wait prompts.
@Suite("Waiting queue over the bus")
struct QueueTests {
    func queue(_ harness: ReceptionHarness, doctor: String = "") async throws -> Clinic_Reception_V1_QueueView {
        var request = Clinic_Reception_V1_GetQueueRequest()
        request.doctorID = doctor
        return try await harness.call(Reception.getQueue, request, as: [.desk])
    }

    @Test func theQueueViewOrdersEmergenciesBookedAndWalkInsPerDoctor() async throws {
        let harness = try ReceptionHarness(scheduling: true)
        defer { harness.stop() }
        let wang = try await harness.makeDoctor(name: "王医生")
        let li = try await harness.makeDoctor(name: "李医生", gender: .female)

        // Arrival order: walk-in, booked for later, booked sooner, emergency, walk-in of another doctor.
        let walkIn = try await harness.checkIn(try await harness.register().id) { $0.doctorID = wang.id }
        let laterPatient = try await harness.register()
        let later = try await harness.checkIn(laterPatient.id,
                                              appointment: try await harness.book(laterPatient.id, doctor: wang.id, inMinutes: 60).id)
        let soonerPatient = try await harness.register()
        let sooner = try await harness.checkIn(soonerPatient.id,
                                               appointment: try await harness.book(soonerPatient.id, doctor: wang.id, inMinutes: 20).id)
        let emergency = try await harness.checkIn(try await harness.register().id) {
            $0.doctorID = wang.id
            $0.kind = .emergency
        }
        let other = try await harness.checkIn(try await harness.register().id) { $0.doctorID = li.id }
        let unassigned = try await harness.checkIn(try await harness.register().id)

        let view = try await queue(harness)
        #expect(view.doctors.map(\.doctorName) == ["李医生", "王医生"])
        let wangQueue = try #require(view.doctors.first { $0.doctorID == wang.id })
        #expect(wangQueue.waiting.map(\.visitID) == [emergency.id, sooner.id, later.id, walkIn.id])
        #expect(wangQueue.waiting.map(\.position) == [1, 2, 3, 4])
        #expect(wangQueue.waiting.first?.emergency == true)
        // No treatment times yet: the default, 30 minutes, per patient ahead.
        #expect(wangQueue.typicalTreatmentMinutes == 30)
        #expect(wangQueue.waiting.map(\.estimatedWaitMinutes) == [0, 30, 60, 90])
        #expect(view.doctors.first { $0.doctorID == li.id }?.waiting.map(\.visitID) == [other.id])
        #expect(view.unassigned.map(\.visitID) == [unassigned.id])
        // One doctor's queue only.
        let only = try await queue(harness, doctor: li.id)
        #expect(only.doctors.map(\.doctorID) == [li.id] && only.unassigned.isEmpty)
    }

    @Test func aMoveNeedsAReasonKeepsItAndHolds() async throws {
        let harness = try ReceptionHarness(scheduling: true)
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        var visits: [Clinic_Reception_V1_Visit] = []
        for _ in 0..<3 { visits.append(try await harness.checkIn(try await harness.register().id) { $0.doctorID = doctor.id }) }

        var move = Clinic_Reception_V1_MoveInQueueRequest()
        move.visitID = visits[2].id
        move.beforeVisitID = visits[0].id
        let noReason = await harness.failure(Reception.moveInQueue, move, as: [.desk])
        #expect(noReason?.code == .invalidArgument && noReason?.violations.map(\.field) == ["reason"])
        move.reason = "疼痛加重"
        let moved = try await harness.call(Reception.moveInQueue, move, as: [.desk])
        #expect(moved.id == visits[2].id)
        var view = try await queue(harness)
        #expect(view.doctors.first?.waiting.map(\.visitID) == [visits[2].id, visits[0].id, visits[1].id])
        #expect(view.doctors.first?.waiting.first?.moveReason == "疼痛加重")
        let db = try harness.database()
        defer { db.close() }
        #expect(try db.query("SELECT reason FROM visit_queue_moves").map { try $0.decode("reason", as: String.self) } == ["疼痛加重"])

        // A later walk-in still joins at the end; the first one going in leaves the move in force.
        let late = try await harness.checkIn(try await harness.register().id) { $0.doctorID = doctor.id }
        _ = try await harness.start(visits[2].id)
        view = try await queue(harness)
        #expect(view.doctors.first?.waiting.map(\.visitID) == [visits[0].id, visits[1].id, late.id])
        #expect(view.doctors.first?.inTreatment.map(\.visitID) == [visits[2].id])

        // Before someone not in this queue, or before oneself: refused.
        move.visitID = visits[1].id
        move.beforeVisitID = visits[2].id
        #expect(await harness.failure(Reception.moveInQueue, move, as: [.desk])?.code == .failedPrecondition)
        move.beforeVisitID = visits[1].id
        #expect(await harness.failure(Reception.moveInQueue, move, as: [.desk])?.code == .invalidArgument)
        // To the end.
        move.beforeVisitID = ""
        _ = try await harness.call(Reception.moveInQueue, move, as: [.desk])
        view = try await queue(harness)
        #expect(view.doctors.first?.waiting.map(\.visitID) == [visits[0].id, late.id, visits[1].id])
    }

    @Test func theEstimatedWaitIsTheMedianOfTheDoctorsLastTwentyTreatments() async throws {
        let harness = try ReceptionHarness(scheduling: true)
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        let db = try harness.database()
        defer { db.close() }
        // 25 treatments done: the oldest 5 took 90 minutes, the last 20 took 10 to 29 minutes (median 19.5 → 20).
        for index in 0..<25 {
            let visit = try await harness.checkIn(try await harness.register().id) { $0.doctorID = doctor.id }
            _ = try await harness.start(visit.id)
            _ = try await harness.complete(visit.id)
            let minutes = index < 5 ? 90 : 10 + (index - 5)
            let done = Date().addingTimeInterval(Double(-1000 + index) * 60)
            try db.execute("""
                UPDATE visits SET treatment_done_at = \(done), treatment_started_at = \(done.addingTimeInterval(Double(-minutes) * 60))
                WHERE id = \(UUID(uuidString: visit.id)!)
                """)
        }
        let current = try await harness.checkIn(try await harness.register().id) { $0.doctorID = doctor.id }
        _ = try await harness.start(current.id)
        let first = try await harness.checkIn(try await harness.register().id) { $0.doctorID = doctor.id }
        let second = try await harness.checkIn(try await harness.register().id) { $0.doctorID = doctor.id }
        let view = try await queue(harness, doctor: doctor.id)
        let doctorQueue = try #require(view.doctors.first)
        #expect(doctorQueue.typicalTreatmentMinutes == 20)
        #expect(doctorQueue.inTreatment.map(\.visitID) == [current.id])
        // The current treatment just began: about 20 minutes left, then 20 more per patient ahead.
        let estimates = doctorQueue.waiting.map(\.estimatedWaitMinutes)
        #expect(doctorQueue.waiting.map(\.visitID) == [first.id, second.id])
        #expect((19...20).contains(estimates[0]) && estimates[1] == estimates[0] + 20)
    }

    @Test func promptsAt15And20MinutesArePublishedOnceAndShown() async throws {
        let harness = try ReceptionHarness(scheduling: true)
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        let db = try harness.database()
        defer { db.close() }
        let sixteen = try await harness.checkIn(try await harness.register().id) { $0.doctorID = doctor.id }
        let twentyOne = try await harness.checkIn(try await harness.register().id) { $0.doctorID = doctor.id }
        let fresh = try await harness.checkIn(try await harness.register().id) { $0.doctorID = doctor.id }
        for (visit, minutes) in [(sixteen, 16.0), (twentyOne, 21.0)] {
            try db.execute("UPDATE visits SET checked_in_at = \(Date().addingTimeInterval(-minutes * 60)) WHERE id = \(UUID(uuidString: visit.id)!)")
        }
        let view = try await queue(harness)
        let prompts = Dictionary(uniqueKeysWithValues: (view.doctors.first?.waiting ?? []).map { ($0.visitID, $0.prompt) })
        #expect(prompts == [sixteen.id: .educate, twentyOne.id: .offerNewTime, fresh.id: Clinic_Reception_V1_WaitPrompt.none])

        #expect(try WaitPromptJob.run(WaitPrompts(), now: Date(), logger: ReceptionHarness.logger, on: db) == 3)
        #expect(try WaitPromptJob.run(WaitPrompts(), now: Date(), logger: ReceptionHarness.logger, on: db) == 0)
        let events = try harness.published(Clinic_Reception_V1_WaitPromptDue.self)
        #expect(events.filter { $0.visitID == sixteen.id }.map(\.prompt) == [.educate])
        #expect(Set(events.filter { $0.visitID == twentyOne.id }.map(\.prompt)) == [.educate, .offerNewTime])
        #expect(events.allSatisfy { $0.doctorID == doctor.id })
    }

    @Test func aRequestedGenderAndTheOriginalDoctorAreHonouredAtCheckIn() async throws {
        let harness = try ReceptionHarness(scheduling: true)
        defer { harness.stop() }
        let wang = try await harness.makeDoctor(name: "王医生", gender: .male)
        let li = try await harness.makeDoctor(name: "李医生", gender: .female)
        _ = try await harness.makeDoctor(name: "休医生", gender: .female, working: false)
        let patient = try await harness.register()
        let female = try await harness.checkIn(patient.id) { $0.requestedDoctorGender = .female }
        #expect(female.doctorID == li.id && female.assignment == "gender")

        // Wang fills 36 today; back for 36 within the year, the patient sees Wang unless they refuse.
        _ = try await harness.start(female.id)
        var treated = Clinic_Reception_V1_CompleteTreatmentRequest()
        treated.visitID = female.id
        treated.treatments = [filling(36)]
        _ = try await harness.call(Reception.completeTreatment, treated, as: [.doctor])
        let db = try harness.database()
        defer { db.close() }
        try db.execute("UPDATE visit_treatments SET doctor_id = \(wang.id), doctor_name = \(wang.name)")
        var leave = Clinic_Reception_V1_LeaveVisitRequest()
        leave.visitID = female.id
        leave.reason = "test"
        _ = try await harness.call(Reception.leaveVisit, leave)

        let back = try await harness.checkIn(patient.id) { $0.teeth = [36] }
        #expect(back.doctorID == wang.id && back.assignment == "original doctor" && back.kind == .return)
        var unseen = Clinic_Reception_V1_MarkLeftUnseenRequest()
        unseen.visitID = back.id
        _ = try await harness.call(Reception.markLeftUnseen, unseen)

        let refused = await rpcResult { try await harness.checkIn(patient.id) { $0.teeth = [36]; $0.doctorID = li.id } }.error
        #expect(refused?.code == .invalidArgument && refused?.violations.map(\.field) == ["refusalReason"])
        let other = try await harness.checkIn(patient.id) {
            $0.teeth = [36]
            $0.doctorID = li.id
            $0.refusalReason = "上次补的牙掉了, 想换医生"
        }
        #expect(other.doctorID == li.id)
        let complaint = try #require(try harness.published(Clinic_Reception_V1_OriginalDoctorRefused.self).first)
        #expect(complaint.originalDoctorID == wang.id && complaint.assignedDoctorID == li.id && complaint.teeth == [36])
        #expect(complaint.reason == "上次补的牙掉了, 想换医生")
    }

    @Test func aDoctorOffTodayLeavesTheVisitForASupervisorsCoveringDoctor() async throws {
        let harness = try ReceptionHarness(scheduling: true)
        defer { harness.stop() }
        let off = try await harness.makeDoctor(name: "休医生", working: false)
        let cover = try await harness.makeDoctor(name: "顶班医生")
        let visit = try await harness.checkIn(try await harness.register().id) { $0.doctorID = off.id }
        #expect(visit.status == .checkedIn && visit.doctorID.isEmpty)
        #expect(visit.assignmentNote == "Dr 休医生 is off today: a supervisor assigns a covering doctor")

        var covering = Clinic_Reception_V1_AssignCoveringDoctorRequest()
        covering.visitID = visit.id
        covering.doctorID = cover.id
        covering.coveringForDoctorID = off.id
        #expect(await harness.failure(Reception.assignCoveringDoctor, covering, as: [.desk])?.code == .permissionDenied)
        let covered = try await harness.call(Reception.assignCoveringDoctor, covering, as: [.supervisor])
        #expect(covered.status == .waiting && covered.doctorID == cover.id && covered.assignment == "covering")
        #expect(covered.coveringForDoctorID == off.id && covered.coveringForDoctorName == "休医生")
        #expect(covered.steps.last?.note == "Dr 顶班医生 covering for Dr 休医生")
        // The off doctor cannot be put to work by hand either.
        covering.doctorID = off.id
        covering.coveringForDoctorID = cover.id
        #expect(await harness.failure(Reception.assignCoveringDoctor, covering)?.code == .failedPrecondition)
    }

    @Test func aVisitStillWaitingWhenItsDayEndedIsClosedAsLeftUnseen() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let clock = ClinicClock(timeZone: ServiceSettings.defaultTimeZone)
        let db = try harness.database()
        defer { db.close() }
        let patient = try await harness.register()
        let yesterday = try await harness.checkIn(patient.id)
        let today = try await harness.checkIn(try await harness.register().id)
        // Checked in one minute before today's clinic day began.
        let lastNight = clock.startOfDay(clock.today()).addingTimeInterval(-60)
        try db.execute("UPDATE visits SET checked_in_at = \(lastNight) WHERE id = \(UUID(uuidString: yesterday.id)!)")

        #expect(try DayEndSweep.run(clock: clock, now: Date(), logger: ReceptionHarness.logger, on: db) == 1)
        #expect(try DayEndSweep.run(clock: clock, now: Date(), logger: ReceptionHarness.logger, on: db) == 0)
        var get = Clinic_Reception_V1_GetVisitRequest()
        get.visitID = yesterday.id
        let closed = try await harness.call(Reception.getVisit, get)
        #expect(closed.status == .leftUnseen && closed.leaveReason == DayEndSweep.reason)
        #expect(closed.steps.last?.by == "system:reception")
        get.visitID = today.id
        #expect(try await harness.call(Reception.getVisit, get).status == .checkedIn)
        let event = try #require(try harness.published(Clinic_Reception_V1_PatientLeftUnseen.self).first)
        #expect(event.visitID == yesterday.id && event.phone == patient.phone)
        // The patient can check in again today.
        #expect(try await harness.checkIn(patient.id).status == .checkedIn)
    }
}

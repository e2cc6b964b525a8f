import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import Testing
@testable import Reception

/// Visits over a real broker with real reception and scheduling services: check-in (walk-in and booked, at once from
/// 16 desks), every step and every illegal one, the events each publishes.
@Suite("Visits over the bus")
struct VisitTests {
    @Test func sixteenConcurrentCheckInsOfOnePatientMakeOneVisit() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let patient = try await harness.register()
        let outcomes = await withTaskGroup(of: Result<Clinic_Reception_V1_Visit, RPCError>.self) { group in
            for _ in 0..<16 { group.addTask { await rpcResult { try await harness.checkIn(patient.id) } } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let made = outcomes.compactMap { try? $0.get() }
        #expect(made.count == 1)
        let refused = outcomes.compactMap(\.error)
        #expect(refused.count == 15)
        #expect(refused.allSatisfy { $0.code == .alreadyExists && $0.violations.first?.description_p == made.first?.id })
        let db = try harness.database()
        defer { db.close() }
        #expect(try db.query("SELECT count(*) AS n FROM visits").first?.decode("n", as: Int.self) == 1)
        #expect(try harness.published(Clinic_Reception_V1_PatientCheckedIn.self).count == 1)
    }

    @Test func aWalkInStartsCheckedInWithTheSuggestedKindAndEveryStepIsTimedAndSigned() async throws {
        let harness = try ReceptionHarness(scheduling: true)
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        let patient = try await harness.register()
        let visit = try await harness.checkIn(patient.id) { $0.complaint = "牙疼" }
        #expect(visit.status == .checkedIn)
        #expect(visit.kind == .first && visit.suggestedKind == .first)
        #expect(visit.doctorID.isEmpty)
        #expect(visit.checkedInBy == CallOptions.testMemberID)
        #expect(visit.steps.map(\.status) == [.checkedIn])

        let waiting = try await harness.assign(visit.id, to: doctor.id)
        #expect(waiting.status == .waiting && waiting.doctorID == doctor.id && waiting.doctorName == doctor.name)
        let treating = try await harness.start(visit.id)
        #expect(treating.status == .inTreatment && treating.hasTreatmentStartedAt)
        let done = try await harness.complete(visit.id, [filling(36), filling(37, code: "FILL-02")])
        #expect(done.status == .treatmentDone)
        #expect(done.treatments.map(\.teeth) == [[36], [37]])
        #expect(done.steps.map(\.status) == [.checkedIn, .waiting, .inTreatment, .treatmentDone])
        #expect(done.steps.allSatisfy { $0.by == CallOptions.testMemberID && $0.hasAt })

        let event = try #require(try harness.published(Clinic_Reception_V1_TreatmentCompleted.self).last)
        #expect(event.visitID == visit.id && event.patientID == patient.id && event.doctorID == doctor.id)
        #expect(event.doctorName == doctor.name)
        #expect(event.treatments.map(\.feeCodes) == [["FILL-01"], ["FILL-02"]])
        #expect(event.completedAt == done.treatmentDoneAt)
        #expect(try harness.published(Clinic_Reception_V1_TreatmentStarted.self).map(\.visitID) == [visit.id])
    }

    @Test func everyIllegalStepIsRefusedNamingTheState() async throws {
        let harness = try ReceptionHarness(scheduling: true)
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        let visit = try await harness.checkIn(try await harness.register().id)
        func start() async -> RPCError? {
            var request = Clinic_Reception_V1_StartTreatmentRequest()
            request.visitID = visit.id
            return await harness.failure(Reception.startTreatment, request, as: [.doctor])
        }
        func complete() async -> RPCError? { await rpcResult { try await harness.complete(visit.id) }.error }
        func leave() async -> RPCError? {
            var request = Clinic_Reception_V1_LeaveVisitRequest()
            request.visitID = visit.id
            return await harness.failure(Reception.leaveVisit, request)
        }
        func leftUnseen() async -> RPCError? {
            var request = Clinic_Reception_V1_MarkLeftUnseenRequest()
            request.visitID = visit.id
            return await harness.failure(Reception.markLeftUnseen, request)
        }
        func assign() async -> RPCError? { await rpcResult { try await harness.assign(visit.id, to: doctor.id) }.error }
        func expectRefused(_ error: RPCError?, _ state: String, _ line: Int = #line) {
            #expect(error?.code == .failedPrecondition, "line \(line)")
            #expect(error?.message.contains("the visit is \(state)") == true, "line \(line): \(error?.message ?? "")")
        }

        // checked in
        expectRefused(await start(), "checked in")
        expectRefused(await complete(), "checked in")
        expectRefused(await leave(), "checked in")
        _ = try await harness.assign(visit.id, to: doctor.id)
        // waiting
        expectRefused(await complete(), "waiting")
        expectRefused(await leave(), "waiting")
        _ = try await harness.start(visit.id)
        // in treatment
        expectRefused(await start(), "in treatment")
        expectRefused(await assign(), "in treatment")
        expectRefused(await leave(), "in treatment")
        expectRefused(await leftUnseen(), "in treatment")
        _ = try await harness.complete(visit.id)
        // treatment done, with a fee code to pay
        expectRefused(await start(), "treatment done")
        expectRefused(await complete(), "treatment done")
        expectRefused(await assign(), "treatment done")
        expectRefused(await leftUnseen(), "treatment done")
        let unpaid = await leave()
        expectRefused(unpaid, "treatment done")
        #expect(unpaid?.message.contains("give a reason to leave unpaid") == true)
        var owing = Clinic_Reception_V1_LeaveVisitRequest()
        owing.visitID = visit.id
        owing.reason = "余款下次付"
        let left = try await harness.call(Reception.leaveVisit, owing)
        #expect(left.status == .left && left.leaveReason == "余款下次付")
        // left
        expectRefused(await start(), "left")
        expectRefused(await leave(), "left")
        expectRefused(await leftUnseen(), "left")
        expectRefused(await assign(), "left")
    }

    @Test func treatmentStepsNeedADoctorOrNurse() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        var request = Clinic_Reception_V1_StartTreatmentRequest()
        request.visitID = UUID().uuidString
        let desk = await harness.failure(Reception.startTreatment, request, as: [.desk])
        #expect(desk?.code == .permissionDenied)
        let nurse = await harness.failure(Reception.startTreatment, request, as: [.nurse])
        #expect(nurse?.code == .notFound)
    }

    @Test func aBookedPatientJoinsTheirDoctorsQueueAndTheAppointmentIsChecked() async throws {
        let harness = try ReceptionHarness(scheduling: true)
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        let patient = try await harness.register()
        let appointment = try await harness.book(patient.id, doctor: doctor.id, inMinutes: 30)
        let visit = try await harness.checkIn(patient.id, appointment: appointment.id)
        #expect(visit.status == .waiting && visit.doctorID == doctor.id && visit.assignment == "appointment")
        #expect(visit.appointmentStart == appointment.startTime)
        #expect(visit.steps.map(\.status) == [.checkedIn, .waiting])

        // Someone else's appointment, or one already used, is refused.
        let other = try await harness.register()
        let notTheirs = await rpcResult { try await harness.checkIn(other.id, appointment: appointment.id) }.error
        #expect(notTheirs?.code == .alreadyExists)
        let fresh = try await harness.book(patient.id, doctor: doctor.id, inMinutes: 90)
        let wrongPatient = await rpcResult { try await harness.checkIn(other.id, appointment: fresh.id) }.error
        #expect(wrongPatient?.code == .failedPrecondition)
        #expect(wrongPatient?.message.contains("not this patient's") == true)
        let unknown = await rpcResult { try await harness.checkIn(other.id, appointment: UUID().uuidString) }.error
        #expect(unknown?.code == .notFound)
    }

    @Test func theKindCanBeOverriddenOnlyWithAReason() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let patient = try await harness.register()
        let refused = await rpcResult { try await harness.checkIn(patient.id) { $0.kind = .return } }.error
        #expect(refused?.code == .invalidArgument)
        #expect(refused?.violations.map(\.field) == ["kindOverrideReason"])
        let visit = try await harness.checkIn(patient.id) {
            $0.kind = .return
            $0.kindOverrideReason = "外院治疗后转来复诊"
        }
        #expect(visit.kind == .return && visit.suggestedKind == .first && visit.kindOverrideReason == "外院治疗后转来复诊")
        // Another kind of visit (consultation, checkup …) is the desk's to say; no reason needed.
        let second = try await harness.register()
        #expect(try await harness.checkIn(second.id) { $0.kind = .consultation }.kind == .consultation)
    }

    @Test func theFirstVisitRuleReadsReceptionsOwnHistoryAtOneYearPlusOrMinusADay() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let clock = ClinicClock(timeZone: ServiceSettings.defaultTimeZone)
        let db = try harness.database()
        defer { db.close() }
        /// A patient last treated on the clinic date `offset` days from a year ago, late in that clinic day.
        func patientTreated(daysFromAYearAgo offset: Int) async throws -> String {
            let patient = try await harness.register()
            let date = clock.today().addingYears(-1).adding(days: offset)
            // 23:30 clinic time: a UTC date would be a day earlier.
            let doneAt = clock.instant(date, TimeOfDay(hour: 23, minute: 30))
            let visitID = UUID()
            try db.execute("""
                INSERT INTO visits (id, patient_id, kind, suggested_kind, status, checked_in_at, checked_in_by)
                VALUES (\(visitID), \(UUID(uuidString: patient.id)!), 'first', 'first', 'left', \(doneAt), 'test')
                """)
            try db.execute("""
                INSERT INTO visit_treatments (visit_id, patient_id, kind, teeth, doctor_id, done_at, recorded_by)
                VALUES (\(visitID), \(UUID(uuidString: patient.id)!), 'filling', '{36}', 'd1', \(doneAt), 'test')
                """)
            return patient.id
        }
        func suggested(_ patientID: String) async throws -> Clinic_Reception_V1_VisitKindSuggestion {
            var request = Clinic_Reception_V1_SuggestVisitKindRequest()
            request.patientID = patientID
            request.teeth = [11]
            return try await harness.call(Reception.suggestVisitKind, request)
        }
        let dayInside = try await patientTreated(daysFromAYearAgo: 1)
        let exactlyAYear = try await patientTreated(daysFromAYearAgo: 0)
        let dayOutside = try await patientTreated(daysFromAYearAgo: -1)
        #expect(try await suggested(dayInside).kind == .return)
        #expect(try await suggested(exactlyAYear).kind == .return)
        let outside = try await suggested(dayOutside)
        #expect(outside.kind == .first)
        #expect(outside.lastTreatedOn == clock.today().addingYears(-1).adding(days: -1).description)
        // Check-in takes the same suggestion.
        #expect(try await harness.checkIn(dayInside).suggestedKind == .return)
        #expect(try await harness.checkIn(dayOutside) { $0.teeth = [11] }.kind == .first)
    }

    @Test func leavingUnseenPublishesTheContactDetailsForACallBack() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let patient = try await harness.register()
        let visit = try await harness.checkIn(patient.id)
        var request = Clinic_Reception_V1_MarkLeftUnseenRequest()
        request.visitID = visit.id
        request.reason = "等太久"
        let left = try await harness.call(Reception.markLeftUnseen, request, as: [.desk])
        #expect(left.status == .leftUnseen && left.leaveReason == "等太久" && left.hasLeftAt)
        let event = try #require(try harness.published(Clinic_Reception_V1_PatientLeftUnseen.self).first)
        #expect(event.visitID == visit.id && event.phone == patient.phone && event.patientName == patient.name)
        #expect(event.reason == "等太久" && event.leftAt == left.leftAt)
        #expect(try harness.published(Clinic_Reception_V1_VisitEnded.self).map(\.status) == [.leftUnseen])
        // The patient may check in again afterwards.
        #expect(try await harness.checkIn(patient.id).id != visit.id)
    }

    @Test func anEmergencyAlertsTheSupervisor() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let patient = try await harness.register()
        let visit = try await harness.checkIn(patient.id) {
            $0.kind = .emergency
            $0.complaint = "外伤, 前牙折断"
        }
        let event = try #require(try harness.published(Clinic_Reception_V1_EmergencyArrived.self).first)
        #expect(event.visitID == visit.id && event.complaint == "外伤, 前牙折断" && event.patientName == patient.name)
    }

    @Test func anIdempotentRetryReturnsTheFirstVisit() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let patient = try await harness.register()
        let key = UUID().uuidString
        let first = try await harness.checkIn(patient.id, idempotencyKey: key)
        let retry = try await harness.checkIn(patient.id, idempotencyKey: key)
        #expect(retry == first)
        #expect(try harness.published(Clinic_Reception_V1_PatientCheckedIn.self).count == 1)
    }

    @Test func theOldCheckInRpcStartsAVisitToo() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let patient = try await harness.register()
        var request = Clinic_Reception_V1_CheckInPatientRequest()
        request.patientID = patient.id
        let checkIn = try await harness.call(Reception.checkInPatient, request)
        var get = Clinic_Reception_V1_GetVisitRequest()
        get.visitID = checkIn.id
        let visit = try await harness.call(Reception.getVisit, get)
        #expect(visit.patientID == patient.id && visit.status == .checkedIn && visit.checkedInAt == checkIn.checkedInAt)
        let event = try #require(try harness.published(Clinic_Reception_V1_PatientCheckedIn.self).first)
        #expect(event.checkInID == checkIn.id)
        // Bad ids name their fields.
        request.patientID = "42"
        request.appointmentID = "nope"
        let bad = await harness.failure(Reception.checkInPatient, request)
        #expect(Set(bad?.violations.map(\.field) ?? []) == ["patientId", "appointmentId"])
    }

    @Test func aBillPaidFromBillingMarksTheVisitPaidOnce() async throws {
        let harness = try ReceptionHarness(scheduling: true)
        defer { harness.stop() }
        // A stand-in billing on the real bus: its own schema, outbox, relay and Events/Replay.
        let billingURL = try TestDatabase.shared().makeService(prefix: "billing").url
        var billingSettings = harness.settings
        billingSettings.databaseURL = billingURL
        let standIn = ServiceDefinition(name: "billing", busService: "clinic.billing.v1", migrations: [],
                                        replay: Clinic_Billing_V1_Events.replay) { _, _ in WorkerRoutes() }
        let billing = try ServiceHost(standIn.trusting(TestStaff.trust), settings: billingSettings, logger: ReceptionHarness.logger)
        defer { billing.stop() }
        let billingDB = try Connection(url: billingURL, logger: ReceptionHarness.logger)
        defer { billingDB.close() }

        let doctor = try await harness.makeDoctor()
        let visit = try await harness.checkIn(try await harness.register().id)
        _ = try await harness.assign(visit.id, to: doctor.id)
        _ = try await harness.start(visit.id)
        _ = try await harness.complete(visit.id)

        var paid = Clinic_Billing_V1_BillPaid()
        paid.billID = "bill-1"
        paid.visitID = visit.id
        paid.totalFen = 12_000
        paid.paidAt = .init(date: Date().inStoredPrecision)
        // The same event twice (a second bill for the visit is skipped), and one for an unknown visit.
        try EventOutbox(publisher: "billing").append(paid, on: billingDB)
        var stray = paid
        stray.visitID = UUID().uuidString.lowercased()
        try EventOutbox(publisher: "billing").append(stray, on: billingDB)
        try EventOutbox(publisher: "billing").append(paid, on: billingDB)

        var get = Clinic_Reception_V1_GetVisitRequest()
        get.visitID = visit.id
        #expect(try await eventually { try await harness.call(Reception.getVisit, get).status == .paid })
        let receptionDB = try harness.database()
        defer { receptionDB.close() }
        #expect(try await eventually { try EventCheckpoint.lastApplied(publisher: "billing", on: receptionDB) == 3 })
        let after = try await harness.call(Reception.getVisit, get)
        #expect(after.billID == "bill-1" && after.paidAt == paid.paidAt)
        #expect(after.steps.filter { $0.status == .paid }.count == 1)
        var leave = Clinic_Reception_V1_LeaveVisitRequest()
        leave.visitID = visit.id
        #expect(try await harness.call(Reception.leaveVisit, leave).status == .left)
    }
}

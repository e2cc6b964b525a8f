import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import ClinicValues
import Foundation
@testable import FollowUp
import SwiftProtobuf
import Testing

/// Plans made from other services' events over the real bus and outboxes: a treatment's plan assigned to the right
/// people, each event handled once however often it arrives, catching up after follow-up was down, and the calls that
/// reception's and scheduling's events make.
@Suite("Follow-up plans from events", .serialized)
struct PlansFromEventsTests {
    @Test func aCompletedTreatmentMakesItsPlanOnceAssignedByTheRules() async throws {
        let harness = try FollowUpHarness()
        defer { harness.stop() }
        let patient = try harness.patient()
        let treatedAt = clinicTime("2026-12-07", "09:00")
        let visit = try harness.treatment(patient, [.extraction], at: treatedAt)
        // Four extraction points and the checkup invitation.
        let tasks = try await harness.waitForTasks(of: patient, count: 5)
        #expect(tasks.count == 5)
        let clinical = tasks.filter { $0.kind == "clinical" }
        #expect(clinical.map(\.dueDate.description) == ["2026-12-07", "2026-12-08", "2026-12-10", "2027-03-07"])
        #expect(clinical.first?.dueAt == clinicTime("2026-12-07", "12:00"))
        // The first three to the treating doctor's account, the day-90 call to the less busy customer-service member.
        #expect(clinical.prefix(3).allSatisfy { $0.assigneeID == harness.doctorMember && $0.team == .clinical })
        #expect(clinical.last?.team == .customerService)
        #expect([harness.serviceA, harness.serviceB].contains(clinical.last?.assigneeID ?? UUID()))
        #expect(tasks.allSatisfy { $0.phone == "13812345678" && $0.visitID == visit && $0.patientName == "王芳" })
        #expect(tasks.contains { $0.kind == "checkup_invitation" && $0.dueBy == ClinicDate(iso: "2027-06-07") })

        // The same event published again (a replay, a retry) makes nothing new.
        try harness.treatment(patient, [.extraction], at: treatedAt, visitID: visit)
        try await Task.sleep(for: .seconds(1))
        #expect(try harness.tasks(of: patient).count == 5)
    }

    @Test func aConsultantsClientsLaterCallsGoToTheConsultant() async throws {
        let harness = try FollowUpHarness()
        defer { harness.stop() }
        let patient = try harness.patient("赵敏", phone: "13900001111", consultant: "王咨询")
        try harness.treatment(patient, [.filling], at: clinicTime("2026-12-07"))
        let tasks = try await harness.waitForTasks(of: patient, count: 5)
        #expect(tasks.first?.assigneeID == harness.doctorMember)
        #expect(tasks.filter { $0.team == .consultants }.count == 4)
        #expect(tasks.filter { $0.team == .consultants }.allSatisfy { $0.assigneeID == harness.consultant })
    }

    @Test func theImplantsMonthlyCallsEndWithTheCrownAndANewVisitReplacesTheCheckupInvitation() async throws {
        let harness = try FollowUpHarness()
        defer { harness.stop() }
        let patient = try harness.patient()
        try harness.treatment(patient, [.implantSurgery], at: clinicTime("2026-06-01"))
        _ = try await harness.waitForTasks(of: patient, count: 8)
        try harness.treatment(patient, [.implantCrown], at: clinicTime("2026-09-15"))
        let all = try await harness.waitForTasks(of: patient, count: 14)
        let monthly = all.filter { $0.untilKind == "implant_crown" }
        #expect(monthly.count == 6)
        #expect(monthly.allSatisfy { $0.status == "cancelled" && $0.closedReason.contains("implant_crown") })
        let invitations = all.filter { $0.kind == "checkup_invitation" }
        #expect(invitations.count == 2)
        #expect(invitations.filter { $0.status == "open" }.map(\.dueDate.description) == ["2026-12-15"])
    }

    @Test func afterFollowUpWasDownTheReplayMissesNothingAndDoublesNothing() async throws {
        let harness = try FollowUpHarness(startFollowUp: false)
        defer { harness.stop() }
        // Everything happens while follow-up is not running.
        let patients = try (0..<5).map { index in try harness.patient("患者\(index)", phone: "1380000000\(index)") }
        for patient in patients { try harness.treatment(patient, [.filling], at: clinicTime("2026-12-01")) }
        try harness.start()
        for patient in patients {
            let tasks = try await harness.waitForTasks(of: patient, count: 5)
            #expect(tasks.count == 5)
            #expect(tasks.first?.phone.hasPrefix("138") == true)
        }
        // Down again mid-stream: more events, then back; each visit still planned exactly once.
        harness.stopFollowUp()
        for patient in patients { try harness.treatment(patient, [.cleaning], at: clinicTime("2026-12-02")) }
        try harness.start()
        for patient in patients {
            let tasks = try await harness.waitForTasks(of: patient, count: 8)
            #expect(tasks.count == 8)
            #expect(Set(tasks.compactMap(\.sourceKey)).count == 8)
        }
        let db = try harness.database()
        defer { db.close() }
        #expect(try db.query("SELECT count(*)::int AS n FROM tasks").first?.decode("n") == 40)
    }

    @Test func appointmentsGetAConfirmationAndADayBeforeReminderThatFollowMovesAndCancellations() async throws {
        let harness = try FollowUpHarness()
        defer { harness.stop() }
        let patient = try harness.patient()
        // Registration and booking come from different publishers in no set order; this test is about the booking
        // (the one after it covers a booking seen first), so the patient is known before it is booked.
        let known = try harness.database()
        defer { known.close() }
        #expect(try await eventually { try Directory.patient(patient, on: known) != nil })
        let start = Date().addingTimeInterval(3 * 86_400)
        var appointment = Clinic_Scheduling_V1_Appointment()
        appointment.id = UUID().uuidString.lowercased()
        appointment.patientID = patient.lowercasedText
        appointment.doctorID = harness.doctorID.lowercasedText
        appointment.doctorName = "李医生"
        appointment.startTime = Google_Protobuf_Timestamp(date: start)
        appointment.createdAt = Google_Protobuf_Timestamp(date: Date())
        var booked = Clinic_Scheduling_V1_AppointmentBooked()
        booked.appointment = appointment
        try harness.publish(booked, as: "scheduling")
        let reminders = try await harness.waitForTasks(of: patient, count: 1, kind: "appointment_reminder")
        let remindDay = FollowUpHarness.clock.date(of: start).adding(days: -1)
        #expect(reminders.first?.dueAt == FollowUpHarness.clock.instant(remindDay, TimeOfDay(hour: 15, minute: 0)))
        #expect(reminders.first?.team == .customerService)
        let db = try harness.database()
        defer { db.close() }
        var messages: [MessageRecord] = []
        _ = try await eventually {
            messages = try MessageStore.list(status: nil, patientID: patient, limit: 10, offset: 0, on: db)
            return messages.count == 2 && messages.allSatisfy { !$0.recipient.isEmpty }
        }
        #expect(Set(messages.map(\.template)) == ["appointment_confirmation", "appointment_reminder"])
        #expect(messages.allSatisfy { $0.recipient == "13812345678" && $0.text.contains("王芳") && $0.text.contains("李医生") })

        // Moved: the old reminder and its message are dropped, the new appointment gets its own.
        var moved = appointment
        moved.id = UUID().uuidString.lowercased()
        moved.startTime = Google_Protobuf_Timestamp(date: start.addingTimeInterval(86_400))
        var rescheduled = Clinic_Scheduling_V1_AppointmentRescheduled()
        rescheduled.previous = appointment
        rescheduled.appointment = moved
        try harness.publish(rescheduled, as: "scheduling")
        let after = try await harness.waitForTasks(of: patient, count: 1, kind: "appointment_reminder", status: "cancelled")
        #expect(after.first?.appointmentID == UUIDText.parse(appointment.id))
        let open = try await harness.waitForTasks(of: patient, count: 1, kind: "appointment_reminder", status: "open")
        #expect(open.first?.appointmentID == UUIDText.parse(moved.id))
        #expect(try await eventually { try MessageStore.list(status: "cancelled", patientID: patient, limit: 10, offset: 0, on: db).count == 1 })

        // Cancelled: its reminder goes too. Missed: a call the same day.
        var cancelled = Clinic_Scheduling_V1_AppointmentCancelled()
        cancelled.appointment = moved
        try harness.publish(cancelled, as: "scheduling")
        _ = try await harness.waitForTasks(of: patient, count: 2, kind: "appointment_reminder", status: "cancelled")
        var missed = Clinic_Scheduling_V1_AppointmentMissed()
        missed.appointment = appointment
        missed.appointment.startTime = Google_Protobuf_Timestamp(date: clinicTime("2026-12-07", "09:00"))
        try harness.publish(missed, as: "scheduling")
        let noShow = try await harness.waitForTasks(of: patient, count: 1, kind: "no_show_call")
        #expect(noShow.first?.dueDate == ClinicDate(iso: "2026-12-07"))
    }

    @Test func aBookingThatArrivesBeforeTheRegistrationGetsTheNumberWhenItDoes() async throws {
        let harness = try FollowUpHarness()
        defer { harness.stop() }
        let patient = UUID()
        var booked = Clinic_Scheduling_V1_AppointmentBooked()
        booked.appointment.id = UUID().uuidString.lowercased()
        booked.appointment.patientID = patient.lowercasedText
        booked.appointment.startTime = Google_Protobuf_Timestamp(date: Date().addingTimeInterval(3 * 86_400))
        booked.appointment.createdAt = Google_Protobuf_Timestamp(date: Date())
        try harness.publish(booked, as: "scheduling")
        let db = try harness.database()
        defer { db.close() }
        #expect(try await eventually { try MessageStore.list(status: "queued", patientID: patient, limit: 5, offset: 0, on: db).count == 2 })
        #expect(try MessageStore.list(status: nil, patientID: patient, limit: 5, offset: 0, on: db).allSatisfy { $0.recipient.isEmpty })
        // No sender can take a message without a number.
        var claim = Clinic_Followup_V1_ClaimMessagesRequest()
        claim.sender = "sms-1"
        #expect(try await harness.callAsSystem(Clinic_Followup_V1_Messages.claimMessages, claim).messages.allSatisfy { $0.patientID != patient.lowercasedText })
        var registered = Clinic_Reception_V1_PatientRegistered()
        registered.patientID = patient.lowercasedText
        registered.name = "迟登记"
        registered.phone = "13511112222"
        try harness.publish(registered, as: "reception")
        #expect(try await eventually {
            try MessageStore.list(status: nil, patientID: patient, limit: 5, offset: 0, on: db).filter { $0.recipient == "13511112222" }.count == 2
        })
        #expect(try harness.tasks(of: patient).allSatisfy { $0.phone == "13511112222" && $0.patientName == "迟登记" })
    }

    @Test func receptionsLeftUnseenConsultationAndRefusalEventsBecomeACallBackTasksAndAComplaint() async throws {
        let harness = try FollowUpHarness()
        defer { harness.stop() }
        let patient = try harness.patient()
        var left = Clinic_Reception_V1_PatientLeftUnseen()
        left.visitID = UUID().uuidString.lowercased()
        left.patientID = patient.lowercasedText
        left.patientName = "王芳"
        left.phone = "13812345678"
        left.waitedMinutes = 42
        left.leftAt = Google_Protobuf_Timestamp(date: clinicTime("2026-12-07", "11:00"))
        try harness.publish(left, as: "reception")
        let callBack = try await harness.waitForTasks(of: patient, count: 1, kind: "left_unseen_call_back")
        #expect(callBack.first?.purpose.contains("42") == true)

        var consultation = Clinic_Reception_V1_PhoneConsultationRecorded()
        consultation.consultationID = UUID().uuidString.lowercased()
        consultation.patientID = patient.lowercasedText
        consultation.callerName = "王芳"
        consultation.phone = "13812345678"
        consultation.callBackNeeded = true
        consultation.appointmentNeeded = true
        consultation.recordedAt = Google_Protobuf_Timestamp(date: clinicTime("2026-12-07", "12:00"))
        try harness.publish(consultation, as: "reception")
        #expect(try await harness.waitForTasks(of: patient, count: 1, kind: "consultation_call_back").count == 1)
        let chases = try await harness.waitForTasks(of: patient, count: 3, kind: "booking_chase")
        #expect(chases.map(\.dueDate.description) == ["2026-12-09", "2026-12-11", "2026-12-14"])

        // Booking ends the chase.
        var booked = Clinic_Scheduling_V1_AppointmentBooked()
        booked.appointment.id = UUID().uuidString.lowercased()
        booked.appointment.patientID = patient.lowercasedText
        booked.appointment.startTime = Google_Protobuf_Timestamp(date: Date().addingTimeInterval(2 * 86_400))
        try harness.publish(booked, as: "scheduling")
        #expect(try await harness.waitForTasks(of: patient, count: 3, kind: "booking_chase", status: "cancelled").count == 3)

        var refused = Clinic_Reception_V1_OriginalDoctorRefused()
        refused.visitID = UUID().uuidString.lowercased()
        refused.patientID = patient.lowercasedText
        refused.patientName = "王芳"
        refused.originalDoctorName = "张医生"
        refused.reason = "上次治疗后一直疼"
        try harness.publish(refused, as: "reception")
        var complaints: [Clinic_Followup_V1_Complaint] = []
        _ = try await eventually(timeout: .seconds(20)) {
            var request = Clinic_Followup_V1_ListComplaintsRequest()
            request.escalatedOnly = true
            complaints = try await harness.call(Clinic_Followup_V1_Complaints.listComplaints, request, as: [.director], member: harness.supervisor).complaints
            return !complaints.isEmpty
        }
        #expect(complaints.first?.description_p.contains("张医生") == true)
        #expect(complaints.first?.escalated == true)
        #expect(complaints.first?.phone == "138****5678")
    }

    @Test func aMemberWhoLeavesHasTheirTasksOfferedForReassignmentAndNoneIsLost() async throws {
        let harness = try FollowUpHarness()
        defer { harness.stop() }
        let patient = try harness.patient()
        try harness.treatment(patient, [.crownBridgeDenture], at: clinicTime("2026-12-07"))
        let tasks = try await harness.waitForTasks(of: patient, count: 7)
        let doctorsTasks = tasks.filter { $0.assigneeID == harness.doctorMember }
        #expect(doctorsTasks.count == 3)
        var deactivated = Clinic_Staff_V1_StaffDeactivated()
        deactivated.memberID = harness.doctorMember.lowercasedText
        try harness.publish(deactivated, as: "staff")
        var unattended = Clinic_Followup_V1_ListUnattendedResponse()
        _ = try await eventually(timeout: .seconds(20)) {
            unattended = try await harness.call(Clinic_Followup_V1_FollowUps.listUnattended, Clinic_Followup_V1_ListUnattendedRequest(),
                                                as: [.supervisor], member: harness.supervisor)
            return unattended.groups.first?.openTasks == 3
        }
        #expect(unattended.groups.first?.memberLeft == true)
        #expect(unattended.groups.first?.memberName == "李医生")
        // The supervisor moves them in bulk; the member who left cannot receive tasks.
        var toGone = Clinic_Followup_V1_ReassignFollowUpsRequest()
        toGone.fromMemberID = harness.serviceA.lowercasedText
        toGone.toMemberID = harness.doctorMember.lowercasedText
        #expect(await harness.failure(Clinic_Followup_V1_FollowUps.reassignFollowUps, toGone, as: [.supervisor], member: harness.supervisor)?.code
                == .failedPrecondition)
        var reassign = Clinic_Followup_V1_ReassignFollowUpsRequest()
        reassign.fromMemberID = harness.doctorMember.lowercasedText
        reassign.toMemberID = harness.serviceB.lowercasedText
        reassign.reason = "离职"
        #expect(await harness.failure(Clinic_Followup_V1_FollowUps.reassignFollowUps, reassign, as: [.customerService], member: harness.serviceA)?.code
                == .permissionDenied)
        let moved = try await harness.call(Clinic_Followup_V1_FollowUps.reassignFollowUps, reassign, as: [.supervisor],
                                           member: harness.supervisor, idempotencyKey: newKey())
        #expect(moved.reassigned == 3)
        let after = try harness.tasks(of: patient)
        #expect(after.count == 7)
        #expect(after.filter { $0.assigneeID == harness.serviceB }.count >= 3)
        #expect(after.allSatisfy { !$0.unattended && $0.status == "open" })
        let db = try harness.database()
        defer { db.close() }
        #expect(try db.query("SELECT count(*)::int AS n FROM task_reassignments WHERE reason = '离职'").first?.decode("n") == 3)
    }
}

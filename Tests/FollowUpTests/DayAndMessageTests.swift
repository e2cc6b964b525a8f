import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import ClinicValues
import Foundation
@testable import FollowUp
import Logging
import SwiftProtobuf
import Synchronization
import Testing

/// The day's jobs (the 16:00 check, the rollover at the clinic's midnight, complaint escalation), patient messages
/// claimed by racing senders, complaints, the rule table's API and the monthly report.
@Suite("Follow-up day, messages, complaints and reports", .serialized)
struct DayAndMessageTests {
    static let logger = Logger(label: "test.followup.day")
    static let clock = FollowUpHarness.clock

    /// Stores a task due on `day` for `assignee` straight into follow-up's schema.
    static func task(_ db: Connection, due day: String, assignee: UUID?, kind: String = "clinical", team: FollowUpTeam = .customerService,
                     dueBy: String? = nil) throws -> TaskRecord {
        let task = TaskRecord(id: UUID(), sourceKey: nil, kind: kind, patientID: UUID(), patientName: "测试", phone: "13700001111",
                              purpose: "测试回访", dueDate: ClinicDate(iso: day)!, dueBy: ClinicDate(iso: dueBy ?? day)!,
                              assigneeID: assignee, team: team, createdBy: "tests", createdAt: Date())
        try TaskStore.insert(task, on: db)
        return task
    }

    @Test func theDaysEndRollsUnreachedCallsToTheNextClinicDayCountingThem() async throws {
        let harness = try FollowUpHarness()
        defer { harness.stop() }
        let db = try harness.database()
        defer { db.close() }
        let due = try Self.task(db, due: "2026-12-07", assignee: harness.serviceA)
        let reminder = try Self.task(db, due: "2026-12-07", assignee: harness.serviceA, kind: "appointment_reminder")
        // 23:59 in Shanghai (15:59 UTC): still the 7th, nothing rolls. 00:30 on the 8th (16:30 UTC on the 7th): it rolls.
        #expect(try DayEndRollover.run(clock: Self.clock, now: clinicTime("2026-12-07", "23:59"), logger: Self.logger, on: db) == 0)
        #expect(try DayEndRollover.run(clock: Self.clock, now: clinicTime("2026-12-08", "00:30"), logger: Self.logger, on: db) == 1)
        let rolled = try #require(try TaskStore.find(due.id, on: db))
        #expect(rolled.dueDate == ClinicDate(iso: "2026-12-08") && rolled.rollovers == 1 && rolled.isOverdue(on: ClinicDate(iso: "2026-12-08")!))
        #expect(try TaskStore.find(reminder.id, on: db)?.status == "cancelled")
        // Run again (another instance): nothing more. Two days later: counted as two more days.
        #expect(try DayEndRollover.run(clock: Self.clock, now: clinicTime("2026-12-08", "00:31"), logger: Self.logger, on: db) == 0)
        #expect(try DayEndRollover.run(clock: Self.clock, now: clinicTime("2026-12-10", "08:00"), logger: Self.logger, on: db) == 1)
        #expect(try TaskStore.find(due.id, on: db)?.rollovers == 3)
        // The overdue count per person shows it.
        var overdue = Clinic_Followup_V1_GetOverdueCountsRequest()
        overdue.date = "2026-12-10"
        let counts = try await harness.call(Clinic_Followup_V1_FollowUps.getOverdueCounts, overdue, as: [.supervisor], member: harness.supervisor)
        #expect(counts.people.first { $0.assigneeID == harness.serviceA.lowercasedText }?.overdue == 1)
    }

    @Test func theFourOClockCheckRecordsWhatIsOpenOncePerDay() async throws {
        let harness = try FollowUpHarness()
        defer { harness.stop() }
        let db = try harness.database()
        defer { db.close() }
        for _ in 0..<3 { _ = try Self.task(db, due: "2026-12-07", assignee: harness.serviceA) }
        _ = try Self.task(db, due: "2026-12-07", assignee: nil, team: .clinical)
        _ = try Self.task(db, due: "2026-12-08", assignee: harness.serviceB)
        let policy = FollowUpPolicy()
        #expect(try DailyCheck.run(clock: Self.clock, policy: policy, now: clinicTime("2026-12-07", "15:59"), logger: Self.logger, on: db) == nil)
        let check = try #require(try DailyCheck.run(clock: Self.clock, policy: policy, now: clinicTime("2026-12-07", "16:00"),
                                                    logger: Self.logger, on: db))
        #expect(check.openTasks == 4)
        #expect(check.people.first?.assigneeID == harness.serviceA.lowercasedText && check.people.first?.openTasks == 3)
        #expect(check.people.contains { $0.assigneeID.isEmpty && $0.team == .clinical && $0.openTasks == 1 })
        #expect(try DailyCheck.run(clock: Self.clock, policy: policy, now: clinicTime("2026-12-07", "16:05"), logger: Self.logger, on: db) == nil)
        #expect(try db.query("SELECT count(*)::int AS n FROM outbox WHERE type = 'clinic.followup.v1.FollowUpsOpenAtCutoff'").first?.decode("n") == 1)
        var get = Clinic_Followup_V1_GetCutoffCheckRequest()
        get.date = "2026-12-07"
        let shown = try await harness.call(Clinic_Followup_V1_FollowUps.getCutoffCheck, get, as: [.supervisor], member: harness.supervisor)
        #expect(shown.openTasks == 4 && shown.hasCheckedAt && shown.checkTime == "16:00")
        #expect(shown.people == check.people)
    }

    @Test func twoSendersRacingClaimEachMessageExactlyOnce() async throws {
        let harness = try FollowUpHarness()
        defer { harness.stop() }
        let db = try harness.database()
        defer { db.close() }
        let queue = MessageQueue(policy: FollowUpPolicy())
        for index in 0..<120 {
            try queue.queue("follow_up", values: ["name": "患者\(index)"], to: PatientContact(id: UUID(), name: "患者\(index)", phone: "13700001111"),
                            sendAfter: Date().addingTimeInterval(-1), sourceKey: "race:\(index)", by: "tests", at: Date(), on: db)
        }
        let bySender = try await withThrowingTaskGroup(of: (String, [String]).self) { group in
            for sender in ["sms-1", "sms-2"] {
                group.addTask {
                    var mine: [String] = []
                    while true {
                        var claim = Clinic_Followup_V1_ClaimMessagesRequest()
                        claim.sender = sender
                        claim.maxMessages = 7
                        let batch = try await harness.callAsSystem(Clinic_Followup_V1_Messages.claimMessages, claim).messages
                        if batch.isEmpty { return (sender, mine) }
                        #expect(batch.allSatisfy { $0.recipient == "13700001111" && $0.claimedBy == sender })
                        mine += batch.map(\.id)
                    }
                }
            }
            var found: [String: [String]] = [:]
            for try await (sender, ids) in group { found[sender] = ids }
            return found
        }
        let all = bySender.values.flatMap { $0 }
        #expect(all.count == 120)
        #expect(Set(all).count == 120)
        #expect(bySender.count == 2, "both senders should have won some: \(bySender.mapValues(\.count))")

        // Only the sender holding the claim reports; a failure raises a task; a repeat report changes nothing.
        let first = try #require(bySender["sms-1"]?.first)
        var report = Clinic_Followup_V1_ReportDeliveryRequest()
        report.messageID = first
        report.sender = "sms-2"
        report.outcome = .delivered
        #expect(await rpcResult { try await harness.callAsSystem(Clinic_Followup_V1_Messages.reportDelivery, report) }.code == .failedPrecondition)
        report.sender = "sms-1"
        report.outcome = .failed
        #expect(await rpcResult { try await harness.callAsSystem(Clinic_Followup_V1_Messages.reportDelivery, report) }.code == .invalidArgument)
        report.reason = "号码停机"
        let failed = try await harness.callAsSystem(Clinic_Followup_V1_Messages.reportDelivery, report)
        #expect(failed.status == .failed && failed.failureReason == "号码停机")
        #expect(try await harness.callAsSystem(Clinic_Followup_V1_Messages.reportDelivery, report).status == .failed)
        #expect(try db.query("SELECT count(*)::int AS n FROM tasks WHERE kind = 'message_failed'").first?.decode("n") == 1)
        // Lists mask the recipient.
        let listed = try await harness.call(Clinic_Followup_V1_Messages.listMessages, Clinic_Followup_V1_ListMessagesRequest(), as: [.supervisor],
                                            member: harness.supervisor)
        #expect(listed.messages.allSatisfy { $0.recipient == "137****1111" })
        #expect(!harness.logs.text.contains("13700001111"))
    }

    @Test func theLogSenderWritesMessagesMaskedAndReportsThemDelivered() async throws {
        let harness = try FollowUpHarness()
        defer { harness.stop() }
        let db = try harness.database()
        defer { db.close() }
        try MessageQueue(policy: FollowUpPolicy()).queue("checkup_invitation", values: ["name": "王芳"],
                                                         to: PatientContact(id: UUID(), name: "王芳", phone: "13812345678"),
                                                         sendAfter: Date(), sourceKey: nil, by: "tests", at: Date(), on: db)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("messages-\(UUID()).log")
        let sender = MessageLogSender(client: harness.client, sender: "local-log", file: file, logger: Self.logger)
        let sent = try await Task.detached { try sender.sendOnce() }.value
        #expect(sent == 1)
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains("to=138****5678") && text.contains("王芳") && !text.contains("13812345678"))
        #expect(try MessageStore.list(status: "delivered", patientID: nil, limit: 5, offset: 0, on: db).count == 1)
    }

    @Test func complaintsMoveOneStepAtATimeAndOverdueOnesAreEscalated() async throws {
        let harness = try FollowUpHarness()
        defer { harness.stop() }
        typealias Complaints = Clinic_Followup_V1_Complaints
        var file = Clinic_Followup_V1_FileComplaintRequest()
        file.patientName = "王芳"
        file.phone = "13812345678"
        file.channel = .phone
        file.category = .priceBilling
        file.description_p = "收费与报价不符"
        let complaint = try await harness.call(Complaints.fileComplaint, file, as: [.customerService], member: harness.serviceA)
        #expect(complaint.status == .open && complaint.phone == "138****5678")
        var reply = Clinic_Followup_V1_ReplyToComplaintRequest()
        reply.complaintID = complaint.id
        reply.reply = "已核对账单"
        let skipped = await harness.failure(Complaints.replyToComplaint, reply, as: [.customerService], member: harness.serviceA)
        #expect(skipped?.code == .failedPrecondition && skipped?.message.contains("investigating") == true)
        var investigate = Clinic_Followup_V1_StartInvestigationRequest()
        investigate.complaintID = complaint.id
        let owned = try await harness.call(Complaints.startInvestigation, investigate, as: [.customerService], member: harness.serviceA)
        #expect(owned.ownerID == harness.serviceA.lowercasedText && owned.ownerName == "客服甲")
        _ = try await harness.call(Complaints.replyToComplaint, reply, as: [.customerService], member: harness.serviceA)
        var close = Clinic_Followup_V1_CloseComplaintRequest()
        close.complaintID = complaint.id
        close.resolution = "退还多收费用"
        close.satisfaction = .aUnsatisfied
        let closed = try await harness.call(Complaints.closeComplaint, close, as: [.supervisor], member: harness.supervisor)
        #expect(closed.status == .closed && closed.steps.map(\.status) == [.open, .investigating, .replied, .closed])
        #expect(closed.escalated && closed.escalationReason.contains("not satisfied"))

        // An old complaint never replied to: escalated by the job, once.
        let db = try harness.database()
        defer { db.close() }
        let desk = ComplaintDesk(clock: Self.clock, policy: FollowUpPolicy())
        let old = desk.draft(patient: PatientContact(id: nil, name: "李雷", phone: ""), channel: "phone", category: "environment",
                             description: "候诊区太吵", severity: "low", by: "tests", at: clinicTime("2026-11-20"))
        try desk.file(old, on: db)
        #expect(try ComplaintEscalation.run(clock: Self.clock, policy: FollowUpPolicy(), now: clinicTime("2026-11-27", "12:00"), logger: Self.logger, on: db) == 0)
        #expect(try ComplaintEscalation.run(clock: Self.clock, policy: FollowUpPolicy(), now: clinicTime("2026-11-28", "00:10"), logger: Self.logger, on: db) == 1)
        #expect(try ComplaintEscalation.run(clock: Self.clock, policy: FollowUpPolicy(), now: clinicTime("2026-11-29"), logger: Self.logger, on: db) == 0)
        var escalated = Clinic_Followup_V1_ListComplaintsRequest()
        escalated.escalatedOnly = true
        let list = try await harness.call(Complaints.listComplaints, escalated, as: [.director], member: harness.supervisor)
        #expect(Set(list.complaints.map(\.id)) == [complaint.id, old.id.lowercasedText])
        #expect(list.complaints.first { $0.id == old.id.lowercasedText }?.overdue == true)
    }

    @Test func theRuleTableIsDataEditedThroughTheAPIAndUsedForNewPlans() async throws {
        let harness = try FollowUpHarness()
        defer { harness.stop() }
        typealias Rules = Clinic_Followup_V1_FollowUpRules
        let rules = try await harness.call(Rules.listRules, Clinic_Followup_V1_ListRulesRequest(), as: [.customerService], member: harness.serviceA).rules
        #expect(rules.count == DefaultRules.all.count)
        #expect(rules.filter { $0.treatmentKind == .extraction }.map(\.offset) == [3, 1, 3, 90])
        var create = Clinic_Followup_V1_CreateRuleRequest()
        create.treatmentKind = .extraction
        create.offset = 7
        create.unit = .days
        create.caller = .treatingDoctor
        create.purpose = "拔牙后第7天拆线回访"
        #expect(await harness.failure(Rules.createRule, create, as: [.customerService], member: harness.serviceA)?.code == .permissionDenied)
        let added = try await harness.call(Rules.createRule, create, as: [.supervisor], member: harness.supervisor)
        var bad = create
        bad.windowEnd = 3
        bad.purpose = ""
        let refused = await harness.failure(Rules.createRule, bad, as: [.supervisor], member: harness.supervisor)
        #expect(refused?.violations.map(\.field) == ["purpose"])
        bad.purpose = "窗口"
        #expect(await harness.failure(Rules.createRule, bad, as: [.supervisor], member: harness.supervisor)?.violations.map(\.field) == ["windowEnd"])
        // Turn the day-3 call off.
        let dayThree = try #require(rules.first { $0.treatmentKind == .extraction && $0.offset == 3 && $0.unit == .days })
        var update = Clinic_Followup_V1_UpdateRuleRequest()
        update.ruleID = dayThree.id
        update.offset = 3
        update.unit = .days
        update.caller = .treatingDoctor
        update.purpose = dayThree.purpose
        update.active = false
        _ = try await harness.call(Rules.updateRule, update, as: [.director], member: harness.supervisor)
        var preview = Clinic_Followup_V1_PreviewPlanRequest()
        var extraction = Clinic_Reception_V1_Treatment()
        extraction.kind = .extraction
        preview.treatments = [extraction]
        preview.treatedAt = Google_Protobuf_Timestamp(date: clinicTime("2026-12-07"))
        let calls = try await harness.call(Rules.previewPlan, preview, as: [.doctor], member: harness.doctorMember).calls
        #expect(calls.filter { $0.kind == .clinical }.map(\.dueDate) == ["2026-12-07", "2026-12-08", "2026-12-14", "2027-03-07"])
        #expect(calls.contains { $0.ruleID == added.id })
        #expect(!calls.contains { $0.ruleID == dayThree.id })
    }

    @Test func theMonthlyReportIsComputedInSQLAsDataAndCSV() async throws {
        let harness = try FollowUpHarness()
        defer { harness.stop() }
        let db = try harness.database()
        defer { db.close() }
        let done = try Self.task(db, due: "2026-11-10", assignee: harness.serviceA)
        try TaskStore.record(AttemptRecord(reached: true, channel: "phone", satisfaction: "C", recordedBy: "tests",
                                           recordedAt: clinicTime("2026-11-10")), on: done.id, on: db)
        let notNeeded = try Self.task(db, due: "2026-11-11", assignee: harness.serviceA)
        try TaskStore.close(notNeeded.id, as: "not_needed", reason: "外院复查", by: "tests", at: clinicTime("2026-11-11"), on: db)
        _ = try Self.task(db, due: "2026-11-12", assignee: harness.serviceB)
        _ = try Self.task(db, due: "2026-11-13", assignee: harness.serviceB)
        _ = try Self.task(db, due: "2026-12-01", assignee: harness.serviceB)
        var request = Clinic_Followup_V1_FollowUpReportRequest()
        request.month = "2026-11"
        let report = try await harness.call(Clinic_Followup_V1_FollowUpReports.getFollowUpReport, request, as: [.director], member: harness.supervisor)
        #expect(report.due == 3 && report.done == 1)
        #expect(report.completionRatePercent == 33.3)
        #expect(report.satisfaction.first { $0.satisfaction == .cSatisfied }?.count == 1)
        #expect(report.overdue.first { $0.assigneeID == harness.serviceB.lowercasedText }?.overdue == 2)
        let csv = try await harness.call(Clinic_Followup_V1_FollowUpReports.exportFollowUpReport, request, as: [.director], member: harness.supervisor)
        let text = String(decoding: csv.data, as: UTF8.self)
        #expect(csv.contentType.hasPrefix("text/csv"))
        #expect(text.hasPrefix("section,key,count,total,rate_percent\r\n"))
        #expect(text.contains("completion,all,1,3,33.3\r\n"))
        #expect(text.contains("overdue,客服乙,2,,\r\n"))
        request.month = "2026-13"
        #expect(await harness.failure(Clinic_Followup_V1_FollowUpReports.getFollowUpReport, request, as: [.director], member: harness.supervisor)?.code
                == .invalidArgument)
    }
}

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

/// Work lists, call results and what they set in motion, closing as not needed, and who sees a full phone.
@Suite("Follow-up work lists and results", .serialized)
struct WorkListAndResultTests {
    typealias Tasks = Clinic_Followup_V1_FollowUps

    /// A patient treated today with a filling (day-1 call to the doctor and four later ones); the day-1 task.
    static func treated(_ harness: FollowUpHarness) async throws -> (UUID, TaskRecord) {
        let patient = try harness.patient()
        try harness.treatment(patient, [.filling], at: Date().addingTimeInterval(-86_400))
        let tasks = try await harness.waitForTasks(of: patient, count: 5)
        return (patient, tasks[0])
    }

    @Test func aPersonsWorkListShowsWhatIsDueWithPhonesMaskedAndOnlyTheirOwn() async throws {
        let harness = try FollowUpHarness()
        defer { harness.stop() }
        let (_, first) = try await Self.treated(harness)
        let list = try await harness.call(Tasks.getWorkList, Clinic_Followup_V1_GetWorkListRequest(), as: [.doctor], member: harness.doctorMember)
        #expect(list.tasks.map(\.id) == [first.id.lowercasedText])
        #expect(list.dueToday == 1)
        #expect(list.tasks.first?.phone == "138****5678")
        // Someone else's list: supervisors only.
        var theirs = Clinic_Followup_V1_GetWorkListRequest()
        theirs.assigneeID = harness.doctorMember.lowercasedText
        #expect(await harness.failure(Tasks.getWorkList, theirs, as: [.customerService], member: harness.serviceA)?.code == .permissionDenied)
        #expect(try await harness.call(Tasks.getWorkList, theirs, as: [.supervisor], member: harness.supervisor).tasks.count == 1)
        // The clinical team's list holds it too; customer service's has nothing due today.
        var team = Clinic_Followup_V1_GetWorkListRequest()
        team.team = .clinical
        #expect(try await harness.call(Tasks.getWorkList, team, as: [.nurse], member: UUID()).tasks.count == 1)
        team.team = .customerService
        #expect(try await harness.call(Tasks.getWorkList, team, as: [.customerService], member: harness.serviceA).tasks.isEmpty)
        // Three months on, the 90-day call is due on a customer-service member's list.
        var later = Clinic_Followup_V1_GetWorkListRequest()
        later.team = .customerService
        later.date = FollowUpHarness.clock.today().adding(days: 95).description
        #expect(try await harness.call(Tasks.getWorkList, later, as: [.customerService], member: harness.serviceA).tasks.count == 2)
    }

    @Test func theFullPhoneGoesToTheAssigneeAndTheRolesThatMaySeeItAndNeverToALog() async throws {
        let harness = try FollowUpHarness()
        defer { harness.stop() }
        let (_, first) = try await Self.treated(harness)
        var get = Clinic_Followup_V1_GetFollowUpRequest()
        get.taskID = first.id.lowercasedText
        #expect(try await harness.call(Tasks.getFollowUp, get, as: [.doctor], member: harness.doctorMember).phone == "13812345678")
        #expect(try await harness.call(Tasks.getFollowUp, get, as: [.customerService], member: harness.serviceA).phone == "138****5678")
        #expect(try await harness.call(Tasks.getFollowUp, get, as: [.consultant], member: harness.consultant).phone == "138****5678")
        #expect(try await harness.call(Tasks.getFollowUp, get, as: [.supervisor], member: harness.supervisor).phone == "13812345678")
        var list = Clinic_Followup_V1_ListFollowUpsRequest()
        list.assigneeID = harness.doctorMember.lowercasedText
        #expect(try await harness.call(Tasks.listFollowUps, list, as: [.supervisor], member: harness.supervisor).tasks
            .allSatisfy { $0.phone == "138****5678" })
        #expect(!harness.logs.text.contains("13812345678"))
    }

    @Test func aCallNotReachedIsCountedAndStaysOpenAndOnlyTheAssigneeRecordsIt() async throws {
        let harness = try FollowUpHarness()
        defer { harness.stop() }
        let (_, first) = try await Self.treated(harness)
        var result = Clinic_Followup_V1_RecordResultRequest()
        result.taskID = first.id.lowercasedText
        result.channel = .phone
        #expect(await harness.failure(Tasks.recordResult, result, as: [.customerService], member: harness.serviceA)?.code == .permissionDenied)
        var unreachable = result
        unreachable.satisfaction = .cSatisfied
        unreachable.discomfort = true
        let refused = await harness.failure(Tasks.recordResult, unreachable, as: [.doctor], member: harness.doctorMember)
        #expect(refused?.code == .invalidArgument)
        #expect(Set(refused?.violations.map(\.field) ?? []) == ["satisfaction", "discomfort"])
        for _ in 0..<2 {
            let answer = try await harness.call(Tasks.recordResult, result, as: [.doctor], member: harness.doctorMember, idempotencyKey: newKey())
            #expect(answer.task.status == .open)
        }
        let task = try #require(try harness.tasks(of: first.patientID!).first { $0.id == first.id })
        #expect(task.attempts == 2)
        // Closing as not needed says why; once closed nothing more is recorded.
        var close = Clinic_Followup_V1_CloseAsNotNeededRequest()
        close.taskID = first.id.lowercasedText
        close.reason = " "
        #expect(await harness.failure(Tasks.closeAsNotNeeded, close, as: [.doctor], member: harness.doctorMember)?.code == .invalidArgument)
        close.reason = "患者已在外院复查"
        let closed = try await harness.call(Tasks.closeAsNotNeeded, close, as: [.doctor], member: harness.doctorMember)
        #expect(closed.status == .notNeeded && closed.closedReason == "患者已在外院复查")
        #expect(await harness.failure(Tasks.recordResult, result, as: [.doctor], member: harness.doctorMember)?.code == .failedPrecondition)
    }

    @Test func aReachedCallCompletesItAndSetsItsFollowUpsInMotionOnce() async throws {
        let harness = try FollowUpHarness()
        defer { harness.stop() }
        let (patient, first) = try await Self.treated(harness)
        var result = Clinic_Followup_V1_RecordResultRequest()
        result.taskID = first.id.lowercasedText
        result.reached = true
        result.channel = .phone
        result.conditions = [.pain, .swelling]
        result.advice = "冰敷，按时服药"
        result.satisfaction = .bAverage
        result.discomfort = true
        result.doctorCallBackNeeded = true
        result.bookingLater = true
        result.complaint.category = .serviceAttitude
        result.complaint.description_p = "前台态度不好"
        let key = newKey()
        let answer = try await harness.call(Tasks.recordResult, result, as: [.doctor], member: harness.doctorMember, idempotencyKey: key)
        #expect(answer.task.status == .done)
        #expect(answer.task.history.first?.conditions == [.pain, .swelling])
        #expect(answer.complaint.category == .serviceAttitude)
        #expect(answer.complaint.replyDeadline == FollowUpHarness.clock.today().adding(days: 7).description)
        let tomorrow = FollowUpHarness.clock.today().adding(days: 1).description
        let made = Dictionary(grouping: answer.createdTasks, by: \.kind)
        #expect(made[.doctorCallBack]?.first?.dueDate == tomorrow)
        #expect(made[.doctorCallBack]?.first?.assigneeID == harness.doctorMember.lowercasedText)
        #expect(made[.discomfortCall]?.first?.assigneeID == harness.doctorMember.lowercasedText)
        #expect(made[.bookingChase]?.count == 3)
        // The retry answers the first reply and makes nothing twice.
        let again = try await harness.call(Tasks.recordResult, result, as: [.doctor], member: harness.doctorMember, idempotencyKey: key)
        #expect(again == answer)
        #expect(try harness.tasks(of: patient).count == 5 + 5)
    }

    @Test func theSeriesEndMovesThePatientToLongTermRecall() async throws {
        let harness = try FollowUpHarness()
        defer { harness.stop() }
        let patient = try harness.patient()
        try harness.treatment(patient, [.rootCanalObturated], at: Date().addingTimeInterval(-16 * 86_400))
        let tasks = try await harness.waitForTasks(of: patient, count: 3)
        let last = try #require(tasks.first { $0.endsSeries })
        var result = Clinic_Followup_V1_RecordResultRequest()
        result.taskID = last.id.lowercasedText
        result.reached = true
        result.channel = .wechat
        result.satisfaction = .dVerySatisfied
        let answer = try await harness.call(Tasks.recordResult, result, as: [.doctor], member: harness.doctorMember, idempotencyKey: newKey())
        let recall = try #require(answer.createdTasks.first { $0.kind == .recall })
        #expect(recall.dueDate == FollowUpHarness.clock.today().adding(months: 6).description)
        #expect(recall.team == .customerService)
        #expect(answer.task.history.last?.movedToRecall == true)
    }

    @Test func tasksMadeByHandAndBulkReassignmentOfAChosenFew() async throws {
        let harness = try FollowUpHarness()
        defer { harness.stop() }
        let patient = try harness.patient()
        #expect(try await eventually { let db = try harness.database(); defer { db.close() }; return try Directory.patient(patient, on: db) != nil })
        var ids: [String] = []
        for day in 0..<4 {
            var create = Clinic_Followup_V1_CreateFollowUpRequest()
            create.patientID = patient.lowercasedText
            create.purpose = "复诊提醒 \(day)"
            create.dueDate = FollowUpHarness.clock.today().adding(days: day).description
            let task = try await harness.call(Tasks.createFollowUp, create, as: [.customerService], member: harness.serviceA)
            #expect(task.assigneeID == harness.serviceA.lowercasedText && task.team == .customerService)
            ids.append(task.id)
        }
        var reassign = Clinic_Followup_V1_ReassignFollowUpsRequest()
        reassign.fromMemberID = harness.serviceA.lowercasedText
        reassign.toMemberID = harness.serviceB.lowercasedText
        reassign.taskIds = Array(ids.prefix(2))
        let moved = try await harness.call(Tasks.reassignFollowUps, reassign, as: [.supervisor], member: harness.supervisor)
        #expect(moved.reassigned == 2)
        // A task that is not the from-member's open one: the whole request is refused, nothing moves.
        reassign.taskIds = [ids[2], ids[0]]
        let refused = await harness.failure(Tasks.reassignFollowUps, reassign, as: [.supervisor], member: harness.supervisor)
        #expect(refused?.code == .failedPrecondition && refused?.message.contains(ids[0]) == true)
        let after = try harness.tasks(of: patient)
        #expect(after.filter { $0.assigneeID == harness.serviceA }.count == 2)
        #expect(after.filter { $0.assigneeID == harness.serviceB }.count == 2)
    }
}

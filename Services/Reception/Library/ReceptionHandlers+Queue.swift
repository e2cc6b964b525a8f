import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import Foundation
import SwiftProtobuf

/// The waiting queue per doctor: the view and the desk's moves.
extension ReceptionHandlers {
    func getQueue(_ context: RequestContext, _ request: Clinic_Reception_V1_GetQueueRequest) throws -> Clinic_Reception_V1_QueueView {
        let doctorID = try CheckedID.parseOptional(request.doctorID, field: "doctorId")?.lowercasedText
        let rows = try VisitStore.queue(doctorID: doctorID, on: db)
        return QueueViewBuilder(policy: policy, now: Date()).view(rows, onlyDoctor: doctorID)
    }

    func moveInQueue(_ context: RequestContext, _ request: Clinic_Reception_V1_MoveInQueueRequest) throws -> Clinic_Reception_V1_Visit {
        let id = try CheckedID.parse(request.visitID, field: "visitId")
        let anchor = try CheckedID.parseOptional(request.beforeVisitID, field: "beforeVisitId")
        let reason = request.reason.trimmingWhitespace()
        return try IdempotentWrite.perform(context, on: db) { db in
            guard let visit = try VisitStore.find(id, forUpdate: true, on: db) else {
                throw RPCError.notFound("visit \(id.lowercasedText) not found")
            }
            guard visit.status == .waiting, let doctorID = visit.doctorID else {
                throw RPCError.failedPrecondition("cannot move the patient in a queue: the visit is \(visit.status.spoken)"
                                                  + (visit.status == .checkedIn ? " (assign a doctor first)" : ""))
            }
            // The doctor's queue as it stands, read under the moved visit's lock (moves of one queue take turns).
            let queue = try VisitStore.queue(doctorID: doctorID, on: db).filter { $0.status == .waiting }
            switch WaitingQueue.moveKey(id, before: anchor, in: queue.map(\.queueCandidate), lateGrace: policy.lateGrace) {
            case .failure(.ontoItself):
                throw RPCError.invalidArgument(field: "beforeVisitId", "cannot move a patient before themselves")
            case .failure(.anchorNotWaiting):
                throw RPCError.failedPrecondition("visit \(anchor?.lowercasedText ?? "") is not waiting for Dr \(visit.doctorName)")
            case .success(let key):
                try VisitStore.move(id, to: key, before: anchor, reason: reason, by: context.actor, on: db)
            }
            logger.info("queue move", metadata: ["visit_id": "\(id.lowercasedText)", "doctor_id": "\(doctorID)"])
            return try visitMessage(id, on: db)
        }
    }
}

/// Turns the open visits into the queue view: per doctor, in queue order, with waits, estimates and prompts.
struct QueueViewBuilder {
    let policy: ReceptionPolicy
    let now: Date

    /// The view of `rows` (every open visit, or one doctor's).
    func view(_ rows: [QueueVisit], onlyDoctor: String?) -> Clinic_Reception_V1_QueueView {
        var view = Clinic_Reception_V1_QueueView()
        view.asOf = Google_Protobuf_Timestamp(date: now)
        let byDoctor = Dictionary(grouping: rows.filter { $0.doctorID != nil && $0.status != .checkedIn }, by: { $0.doctorID ?? "" })
        view.doctors = byDoctor.map { doctorID, rows in doctorQueue(doctorID, rows) }
            .sorted { ($0.doctorName, $0.doctorID) < ($1.doctorName, $1.doctorID) }
        if onlyDoctor == nil {
            view.unassigned = inQueueOrder(rows.filter { $0.status == .checkedIn }).enumerated().map { index, visit in
                entry(visit, position: index + 1, estimate: nil)
            }
        }
        return view
    }

    private func doctorQueue(_ doctorID: String, _ rows: [QueueVisit]) -> Clinic_Reception_V1_DoctorQueue {
        var queue = Clinic_Reception_V1_DoctorQueue()
        queue.doctorID = doctorID
        queue.doctorName = rows.first?.doctorName ?? ""
        let estimate = WaitEstimate(medianMinutes: rows.first?.typicalMinutes, defaultMinutes: policy.defaultTreatmentMinutes)
        queue.typicalTreatmentMinutes = Int32(estimate.typicalMinutes)
        let treating = rows.filter { $0.status == .inTreatment }
        queue.inTreatment = treating.map { entry($0, position: 0, estimate: nil) }
        let running = treating.compactMap(\.treatmentStartedAt).min().map { now.timeIntervalSince($0) / 60 }
        queue.waiting = inQueueOrder(rows.filter { $0.status == .waiting }).enumerated().map { index, visit in
            entry(visit, position: index + 1, estimate: estimate.minutes(position: index, currentTreatmentMinutes: running))
        }
        return queue
    }

    /// `visits` in the order the queue rules (and the desk's moves) give them.
    private func inQueueOrder(_ visits: [QueueVisit]) -> [QueueVisit] {
        let byID = Dictionary(uniqueKeysWithValues: visits.map { ($0.id, $0) })
        return WaitingQueue.order(visits.map(\.queueCandidate), lateGrace: policy.lateGrace).compactMap { byID[$0.visitID] }
    }

    private func entry(_ visit: QueueVisit, position: Int, estimate: Int?) -> Clinic_Reception_V1_QueueEntry {
        var entry = Clinic_Reception_V1_QueueEntry()
        entry.position = Int32(position)
        entry.visitID = visit.id.lowercasedText
        entry.patientID = visit.patientID.lowercasedText
        entry.patientName = visit.patientName
        entry.kind = visit.kind.message
        entry.emergency = visit.kind == .emergency
        if let start = visit.appointmentStart { entry.appointmentStart = Google_Protobuf_Timestamp(date: start) }
        entry.calledAhead = visit.calledAhead
        entry.checkedInAt = Google_Protobuf_Timestamp(date: visit.checkedInAt)
        entry.moveReason = visit.moveReason
        entry.coveringForDoctorName = visit.coveringForDoctorName
        if visit.status != .inTreatment {
            let waited = max(0, now.timeIntervalSince(visit.queueCandidate.waitingSince) / 60)
            entry.waitedMinutes = Int32(waited)
            switch policy.prompts.prompt(waitedMinutes: waited) {
            case .none: entry.prompt = .none
            case .educate: entry.prompt = .educate
            case .offerNewTime: entry.prompt = .offerNewTime
            }
        }
        if let estimate { entry.estimatedWaitMinutes = Int32(estimate) }
        return entry
    }
}

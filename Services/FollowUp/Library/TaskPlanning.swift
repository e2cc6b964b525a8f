import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation

/// Turns what happened into tasks: chooses who calls, stores each task once (by its source key) and announces it.
struct TaskPlanning {
    let clock: ClinicClock
    let policy: FollowUpPolicy

    /// Stores `task` and publishes `FollowUpPlanned`; nil when its source key had planned it already.
    @discardableResult
    func add(_ task: TaskRecord, on db: Connection) throws -> TaskRecord? {
        guard try TaskStore.insert(task, on: db) else { return nil }
        try FollowUpEvents.planned(task, on: db)
        return task
    }

    /// Who makes a call of `caller` kind for `patient`, treated by scheduling's doctor `doctorID`.
    func assignment(_ caller: CallerKind, doctorID: UUID?, patient: PatientContact?, on db: Connection) throws -> TaskAssignment {
        let doctorMember = try doctorID.flatMap { try Directory.member(forDoctor: $0, on: db)?.id }
        let consultant = caller == .customerService ? try patient.flatMap { try Directory.consultant(named: $0.consultant, on: db)?.id } : nil
        let group = caller == .customerService && consultant == nil ? try TaskStore.candidates(role: "customer_service", on: db) : []
        return CallerChoice.choose(caller, doctorMember: doctorMember, consultant: consultant, customerService: group)
    }

    /// A call the rules did not plan (a reminder, a call back, a chase), assigned and stored once under `sourceKey`.
    @discardableResult
    func call(_ kind: String, purpose: String, patient: PatientContact, due: ClinicDate, dueAt: Date? = nil, caller: CallerKind,
              doctorID: UUID? = nil, doctorName: String = "", visitID: UUID? = nil, appointmentID: UUID? = nil,
              sourceKey: String?, by actor: String, at now: Date, on db: Connection) throws -> TaskRecord? {
        let assigned = try assignment(caller, doctorID: doctorID, patient: patient, on: db)
        let task = TaskRecord(id: UUID.random(), sourceKey: sourceKey, kind: kind, patientID: patient.id, patientName: patient.name,
                              phone: patient.phone, purpose: purpose, dueDate: due, dueAt: dueAt, dueBy: due,
                              assigneeID: assigned.assigneeID, team: assigned.team, treatingDoctorID: doctorID,
                              treatingDoctorName: doctorName, visitID: visitID, appointmentID: appointmentID,
                              createdBy: actor, createdAt: now)
        return try add(task, on: db)
    }

    /// The plan of a completed treatment: the calls the rule table gives it, each assigned; the calls a treatment of
    /// this kind ends are dropped, and a newer checkup invitation replaces an older one still open. Planning the same
    /// visit again makes nothing new.
    func plan(_ event: Clinic_Reception_V1_TreatmentCompleted, on db: Connection) throws -> [TaskRecord] {
        guard let visitID = UUIDText.parse(event.visitID) else { return [] }
        let patientID = UUIDText.parse(event.patientID)
        let known = try patientID.flatMap { try Directory.patient($0, on: db) }
        let patient = known ?? PatientContact(id: patientID, name: event.patientName, phone: "")
        let treatedAt = event.hasCompletedAt ? event.completedAt.date : Date()
        let given = event.treatments.map { treatment in
            TreatmentGiven(kind: StoredNames.name(treatment.kind, in: StoredNames.treatmentKinds) ?? "other",
                           teeth: treatment.teeth.map(Int.init))
        }
        let actor = "system:followup"
        if let patientID {
            for kind in Set(given.map(\.kind)) {
                try TaskStore.cancel(endedBy: kind, patientID: patientID, reason: "ended by the \(kind) treatment of visit \(visitID.lowercasedText)",
                                     by: actor, at: treatedAt, on: db)
            }
        }
        let doctorID = UUIDText.parse(event.doctorID)
        var made: [TaskRecord] = []
        for call in FollowUpPlanner.plan(given, treatedAt: treatedAt, rules: try RuleStore.list(on: db), clock: clock) {
            let assigned = try assignment(call.caller, doctorID: doctorID, patient: patient, on: db)
            let task = TaskRecord(id: UUID.random(), sourceKey: "treatment:\(visitID.lowercasedText):\(call.ruleID.lowercasedText)",
                                  kind: call.kind, patientID: patientID, patientName: patient.name, phone: patient.phone,
                                  purpose: call.purpose, dueDate: call.dueDate, dueAt: call.dueAt, dueBy: call.dueBy,
                                  assigneeID: assigned.assigneeID, team: assigned.team, treatingDoctorID: doctorID,
                                  treatingDoctorName: event.doctorName, visitID: visitID,
                                  appointmentID: UUIDText.parse(event.appointmentID), treatmentKind: call.treatmentKind,
                                  teeth: call.teeth, ruleID: call.ruleID, untilKind: call.untilKind, endsSeries: call.endsSeries,
                                  createdBy: actor, createdAt: treatedAt)
            guard let added = try add(task, on: db) else { continue }
            if added.kind == "checkup_invitation", let patientID {
                try TaskStore.cancel(kind: "checkup_invitation", patientID: patientID, except: added.id,
                                     reason: "replaced by the invitation after visit \(visitID.lowercasedText)", by: actor,
                                     at: treatedAt, on: db)
            }
            made.append(added)
        }
        return made
    }

    /// The long-term recall call after a clinical series ends with `task`.
    func recall(after task: TaskRecord, by actor: String, at now: Date, on db: Connection) throws -> TaskRecord? {
        let patient = PatientContact(id: task.patientID, name: task.patientName, phone: task.phone)
        let due = clock.date(of: now).adding(months: policy.recallMonths)
        guard let recall = try call("recall", purpose: "长期回访（疗程结束后\(policy.recallMonths)个月）", patient: patient, due: due,
                                    caller: .customerService, doctorID: task.treatingDoctorID, doctorName: task.treatingDoctorName,
                                    visitID: task.visitID, sourceKey: "recall:\(task.id.lowercasedText)", by: actor, at: now, on: db)
        else { return nil }
        var event = Clinic_Followup_V1_PatientMovedToRecall()
        event.patientID = task.patientID?.lowercasedText ?? ""
        event.recallTaskID = recall.id.lowercasedText
        event.recallDueDate = due.description
        try FollowUpEvents.append(event, on: db)
        return recall
    }
}

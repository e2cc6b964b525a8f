import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation
import SwiftProtobuf

/// Visits: check-in, the first-visit rule, doctor assignment and every step to leaving.
extension ReceptionHandlers {
    /// What a check-in asks for, from either check-in rpc.
    struct CheckInOrder {
        var patientID: UUID
        var appointmentID: UUID?
        var kind: VisitKind?
        var kindOverrideReason: String
        var doctorID: String?
        var requestedGender: Int
        var teeth: [ToothNumber]
        var complaint: String
        var calledAhead: Bool
        var refusalReason: String
    }

    func checkIn(_ context: RequestContext, _ request: Clinic_Reception_V1_CheckInRequest) throws -> Clinic_Reception_V1_Visit {
        let order = CheckInOrder(
            patientID: try CheckedID.parse(request.patientID, field: "patientId"),
            appointmentID: try CheckedID.parseOptional(request.appointmentID, field: "appointmentId"),
            kind: VisitKind(request.kind), kindOverrideReason: request.kindOverrideReason.trimmingWhitespace(),
            doctorID: try CheckedID.parseOptional(request.doctorID, field: "doctorId")?.lowercasedText,
            requestedGender: request.requestedDoctorGender.rawValue, teeth: try Self.teeth(request.teeth, field: "teeth"),
            complaint: request.complaint.trimmingWhitespace(), calledAhead: request.calledAhead,
            refusalReason: request.refusalReason.trimmingWhitespace())
        return try checkIn(order, context: context)
    }

    func checkInPatient(_ context: RequestContext, _ request: Clinic_Reception_V1_CheckInPatientRequest) throws -> Clinic_Reception_V1_CheckIn {
        let order = CheckInOrder(
            patientID: try CheckedID.parse(request.patientID, field: "patientId"),
            appointmentID: try CheckedID.parseOptional(request.appointmentID, field: "appointmentId"),
            kind: nil, kindOverrideReason: "", doctorID: nil, requestedGender: 0, teeth: [], complaint: "",
            calledAhead: false, refusalReason: "")
        let visit = try checkIn(order, context: context)
        var checkIn = Clinic_Reception_V1_CheckIn()
        checkIn.id = visit.id
        checkIn.patientID = visit.patientID
        checkIn.appointmentID = visit.appointmentID
        checkIn.checkedInAt = visit.checkedInAt
        checkIn.checkedInBy = visit.checkedInBy
        return checkIn
    }

    /// Starts a visit: the patient and appointment looked up, the kind suggested (or overridden with a reason), the
    /// doctor chosen by the rules, then the visit, its steps and its events written in one transaction.
    private func checkIn(_ order: CheckInOrder, context: RequestContext) throws -> Clinic_Reception_V1_Visit {
        let now = Date().inStoredPrecision
        guard let patient = try PatientStore.find(order.patientID, on: db) else {
            throw RPCError.notFound("patient \(order.patientID.lowercasedText) not found")
        }
        // The unique index decides; this look-up only spares scheduling a call for a patient already checked in (a
        // retry with an idempotency key goes on, to be answered the first result).
        if context.idempotencyKey.isEmpty { try refuseIfCheckedIn(order) }
        let booked = try order.appointmentID.map { try bookedAppointment($0, for: order.patientID, context: context) }

        let suggestion = FirstVisitRule.suggest(history: try VisitStore.history(of: order.patientID, clock: calendar, on: db),
                                                today: calendar.date(of: now), teeth: order.teeth)
        let kind = order.kind ?? suggestion.kind
        if (kind == .first || kind == .return), kind != suggestion.kind, order.kindOverrideReason.isEmpty {
            throw RPCError.invalidArgument(field: "kindOverrideReason",
                                           "the rule suggests a \(suggestion.kind.rawValue) visit (\(suggestion.reason)): give the reason for another kind")
        }
        let gender = order.requestedGender != 0 ? order.requestedGender : patient.preferredDoctorGender
        let assignment = try assign(DoctorAssignment.Request(
            chosen: order.doctorID, appointmentDoctor: booked?.doctorID,
            originalDoctor: suggestion.originalDoctor?.id,
            preferredDoctor: UUIDText.parse(patient.preferredDoctorID)?.lowercasedText,
            gender: gender, refusalReason: order.refusalReason), now: now, context: context)

        let visit = NewVisit(
            id: UUID.random(), patientID: order.patientID, appointmentID: order.appointmentID, appointmentStart: booked?.start,
            kind: kind, suggestedKind: suggestion.kind,
            kindOverrideReason: kind == suggestion.kind ? "" : order.kindOverrideReason,
            doctor: assignment.doctor, assignment: assignment.basis?.rawValue ?? "", assignmentNote: assignment.note,
            requestedDoctorGender: gender, teeth: order.teeth, complaint: order.complaint, calledAhead: order.calledAhead,
            checkedInAt: now, checkedInBy: context.actor)
        do {
            return try IdempotentWrite.perform(context, on: db) { db in
                try VisitStore.insert(visit, on: db)
                try ReceptionEvents.patientCheckedIn(visit, on: db)
                if kind == .emergency { try ReceptionEvents.emergencyArrived(visit, patientName: patient.name, on: db) }
                if let refused = assignment.refusedOriginal {
                    try ReceptionEvents.originalDoctorRefused(
                        visitID: visit.id, patientID: visit.patientID, patientName: patient.name, original: refused,
                        assigned: assignment.doctor, teeth: order.teeth.map(\.value), reason: order.refusalReason, at: now,
                        by: context.actor, on: db)
                }
                logger.info("patient checked in", metadata: [
                    "visit_id": "\(visit.id.lowercasedText)", "patient_id": "\(order.patientID.lowercasedText)",
                    "appointment_id": "\(order.appointmentID?.lowercasedText ?? "walk-in")", "kind": "\(kind.rawValue)"])
                return try visitMessage(visit.id, on: db)
            }
        } catch let error as StoreError where error.isUniqueViolation {
            try refuseIfCheckedIn(order)
            throw error
        }
    }

    /// ALREADY_EXISTS naming the visit when the patient already has one not yet treated, or the appointment one.
    private func refuseIfCheckedIn(_ order: CheckInOrder) throws {
        if let open = try VisitStore.openVisit(of: order.patientID, on: db) { throw Self.alreadyCheckedIn(existing: open) }
        if let appointmentID = order.appointmentID, let existing = try VisitStore.visit(forAppointment: appointmentID, on: db) {
            throw Self.appointmentCheckedIn(appointmentID, existing: existing)
        }
    }

    /// The appointment, checked to be this patient's and still one to come for.
    private func bookedAppointment(_ id: UUID, for patientID: UUID, context: RequestContext) throws -> BookedAppointment {
        let booked = try directory.appointment(id, context: context)
        guard booked.patientID == patientID.lowercasedText else {
            throw RPCError.failedPrecondition("appointment \(id.lowercasedText) is not this patient's")
        }
        switch booked.status {
        case .booked, .confirmed, .arrived, .noShow:
            // A no-show who comes after all is checked in: late, and without priority unless they called ahead.
            return booked
        default:
            let status = String(describing: booked.status).replacingOccurrences(of: "([a-z])([A-Z])", with: "$1 $2",
                                                                                options: .regularExpression).lowercased()
            throw RPCError.failedPrecondition("appointment \(id.lowercasedText) is \(status): it cannot be checked in")
        }
    }

    /// The rules' choice of doctor, with scheduling asked only about the doctors the rules may pick.
    func assign(_ request: DoctorAssignment.Request, now: Date, context: RequestContext) throws -> DoctorAssignment.Outcome {
        let named = Set([request.chosen, request.appointmentDoctor, request.originalDoctor, request.preferredDoctor].compactMap { $0 })
        let byGender = request.gender == 1 || request.gender == 2
        guard !named.isEmpty || byGender else {
            return DoctorAssignment.Outcome(doctor: nil, basis: nil, needsCoverFor: nil, refusedOriginal: nil, note: "")
        }
        let waiting = try VisitStore.waitingCounts(on: db)
        var doctors = try directory.doctors(wanted: byGender ? nil : named, waiting: waiting, now: now, context: context)
        // The original doctor keeps their name even when scheduling has lost them (so the refusal can name them).
        if let original = request.originalDoctor, !doctors.contains(where: { $0.id == original }) {
            doctors.append(DoctorOnDuty(id: original, name: original, gender: 0, active: false, worksToday: false))
        }
        switch DoctorAssignment.choose(request, doctors: doctors) {
        case .success(let outcome): return outcome
        case .failure(.unknownDoctor(let id)): throw RPCError.notFound("doctor \(id) not found")
        case .failure(.genderMismatch(let doctor, let wanted)):
            throw RPCError.invalidArgument(field: "requestedDoctorGender",
                                           "the patient asked for a \(wanted == 1 ? "male" : "female") doctor, and Dr \(doctor) is not")
        case .failure(.refusalReasonNeeded(let original)):
            throw RPCError.invalidArgument(field: "refusalReason",
                                           "Dr \(original) treated this tooth within a year and sees the patient unless they refuse: give the patient's reason")
        }
    }

    func suggestVisitKind(_ context: RequestContext, _ request: Clinic_Reception_V1_SuggestVisitKindRequest) throws -> Clinic_Reception_V1_VisitKindSuggestion {
        let patientID = try CheckedID.parse(request.patientID, field: "patientId")
        guard try PatientStore.exists(patientID, on: db) else { throw RPCError.notFound("patient \(patientID.lowercasedText) not found") }
        let suggestion = FirstVisitRule.suggest(history: try VisitStore.history(of: patientID, clock: calendar, on: db),
                                                today: calendar.today(), teeth: try Self.teeth(request.teeth, field: "teeth"),
                                                treatment: TreatmentKind(request.treatment))
        var message = Clinic_Reception_V1_VisitKindSuggestion()
        message.kind = suggestion.kind.message
        message.reason = suggestion.reason
        message.lastTreatedOn = suggestion.lastTreatedOn?.description ?? ""
        message.originalDoctorID = suggestion.originalDoctor?.id ?? ""
        message.originalDoctorName = suggestion.originalDoctor?.name ?? ""
        return message
    }

    func getVisit(_ context: RequestContext, _ request: Clinic_Reception_V1_GetVisitRequest) throws -> Clinic_Reception_V1_Visit {
        try visitMessage(try CheckedID.parse(request.visitID, field: "visitId"), on: db)
    }

    func listVisits(_ context: RequestContext, _ request: Clinic_Reception_V1_ListVisitsRequest) throws -> Clinic_Reception_V1_ListVisitsResponse {
        let date = try CheckedDate.parse(request.date, field: "date", default: calendar.today())
        let page = try Page(request.page)
        let status: VisitStatus? = request.status == .unspecified ? nil : VisitMessages.status(request.status)
        let records = try VisitStore.list(in: calendar.span(of: date),
                                          patientID: try CheckedID.parseOptional(request.patientID, field: "patientId"),
                                          doctorID: try CheckedID.parseOptional(request.doctorID, field: "doctorId")?.lowercasedText,
                                          status: status, limit: page.size + 1, offset: page.offset, on: db)
        var response = Clinic_Reception_V1_ListVisitsResponse()
        response.visits = try visitMessages(Array(records.prefix(page.size)), on: db)
        if records.count > page.size { response.nextPageToken = page.next.token }
        return response
    }

    func assignDoctor(_ context: RequestContext, _ request: Clinic_Reception_V1_AssignDoctorRequest) throws -> Clinic_Reception_V1_Visit {
        let id = try CheckedID.parse(request.visitID, field: "visitId")
        let doctorID = try CheckedID.parseOptional(request.doctorID, field: "doctorId")?.lowercasedText
        guard let visit = try VisitStore.find(id, on: db) else { throw RPCError.notFound("visit \(id.lowercasedText) not found") }
        _ = try VisitLifecycle.next(after: .assignDoctor, from: visit.status).get()
        let now = Date().inStoredPrecision
        let teeth = visit.teeth.compactMap(ToothNumber.init)
        let original = FirstVisitRule.originalDoctor(history: try VisitStore.history(of: visit.patientID, clock: calendar, on: db),
                                                     today: calendar.date(of: now), teeth: teeth)
        let gender = request.requestedDoctorGender.rawValue != 0 ? request.requestedDoctorGender.rawValue : visit.requestedDoctorGender
        guard doctorID != nil || gender != 0 else {
            throw RPCError.invalidArgument(field: "doctorId", "name the doctor, or the gender the patient asked for")
        }
        let outcome = try assign(DoctorAssignment.Request(chosen: doctorID, originalDoctor: original?.id, gender: gender,
                                                          refusalReason: request.refusalReason.trimmingWhitespace()),
                                 now: now, context: context)
        guard let doctor = outcome.doctor else {
            throw RPCError.failedPrecondition(outcome.note.isEmpty ? "no doctor could be assigned" : outcome.note)
        }
        return try step(id, .assignDoctor, context: context, at: now) { visit, next, db in
            try VisitStore.assign(id, doctor: doctor, assignment: doctorID == nil ? "gender" : "desk", note: "",
                                  coveringFor: nil, status: next, on: db)
            try VisitStore.addStep(id, next, at: now, by: context.actor, note: "Dr \(doctor.name)", on: db)
            if let refused = outcome.refusedOriginal {
                try ReceptionEvents.originalDoctorRefused(
                    visitID: id, patientID: visit.patientID, patientName: visit.patientName, original: refused, assigned: doctor,
                    teeth: visit.teeth, reason: request.refusalReason.trimmingWhitespace(), at: now, by: context.actor, on: db)
            }
        }
    }

    func assignCoveringDoctor(_ context: RequestContext, _ request: Clinic_Reception_V1_AssignCoveringDoctorRequest) throws -> Clinic_Reception_V1_Visit {
        let id = try CheckedID.parse(request.visitID, field: "visitId")
        let doctorID = try CheckedID.parse(request.doctorID, field: "doctorId").lowercasedText
        let absentID = try CheckedID.parse(request.coveringForDoctorID, field: "coveringForDoctorId").lowercasedText
        guard doctorID != absentID else {
            throw RPCError.invalidArgument(field: "coveringForDoctorId", "a doctor cannot cover for themselves")
        }
        let now = Date().inStoredPrecision
        let doctors = try directory.doctors(wanted: [doctorID], waiting: [:], now: now, context: context)
        guard let doctor = doctors.first(where: { $0.id == doctorID }) else { throw RPCError.notFound("doctor \(doctorID) not found") }
        guard doctor.isAvailable else {
            throw RPCError.failedPrecondition("Dr \(doctor.name) \(doctor.active ? "is off today" : "no longer works here")")
        }
        let absent = doctors.first { $0.id == absentID } ?? DoctorOnDuty(id: absentID, name: absentID, gender: 0, active: false, worksToday: false)
        return try step(id, .assignDoctor, context: context, at: now) { _, next, db in
            try VisitStore.assign(id, doctor: doctor, assignment: DoctorAssignment.Basis.covering.rawValue, note: "",
                                  coveringFor: absent, status: next, on: db)
            try VisitStore.addStep(id, next, at: now, by: context.actor, note: "Dr \(doctor.name) covering for Dr \(absent.name)", on: db)
        }
    }

    func startTreatment(_ context: RequestContext, _ request: Clinic_Reception_V1_StartTreatmentRequest) throws -> Clinic_Reception_V1_Visit {
        let id = try CheckedID.parse(request.visitID, field: "visitId")
        let now = Date().inStoredPrecision
        return try step(id, .startTreatment, context: context, at: now) { visit, next, db in
            try VisitStore.advance(id, to: next, at: now, on: db)
            try VisitStore.addStep(id, next, at: now, by: context.actor, on: db)
            try ReceptionEvents.treatmentStarted(visit, at: now, by: context.actor, on: db)
        }
    }

    func completeTreatment(_ context: RequestContext, _ request: Clinic_Reception_V1_CompleteTreatmentRequest) throws -> Clinic_Reception_V1_Visit {
        let id = try CheckedID.parse(request.visitID, field: "visitId")
        let treatments = try request.treatments.enumerated().map { index, treatment in
            let field = "treatments[\(index)]"
            guard let kind = TreatmentKind(treatment.kind) else {
                throw RPCError.invalidArgument(field: "\(field).kind", "must be a treatment kind")
            }
            return TreatmentRecord(kind: kind, teeth: try Self.teeth(treatment.teeth, field: "\(field).teeth"),
                                   feeCodes: treatment.feeCodes.map { $0.trimmingWhitespace() },
                                   notes: treatment.notes.trimmingWhitespace())
        }
        let now = Date().inStoredPrecision
        let visit = try step(id, .completeTreatment, context: context, at: now) { visit, next, db in
            try VisitStore.advance(id, to: next, at: now, on: db)
            try VisitStore.addTreatments(treatments, to: visit, at: now, by: context.actor, on: db)
            try VisitStore.addStep(id, next, at: now, by: context.actor, on: db)
            try ReceptionEvents.treatmentCompleted(visit, treatments: treatments, at: now, by: context.actor, on: db)
        }
        logger.info("treatment done", metadata: ["visit_id": "\(id.lowercasedText)", "treatments": "\(treatments.count)"])
        return visit
    }

    func leaveVisit(_ context: RequestContext, _ request: Clinic_Reception_V1_LeaveVisitRequest) throws -> Clinic_Reception_V1_Visit {
        let id = try CheckedID.parse(request.visitID, field: "visitId")
        let reason = request.reason.trimmingWhitespace()
        let now = Date().inStoredPrecision
        return try step(id, { visit in
            // Nothing to pay for a free check or treatments without fee codes; otherwise leaving unpaid needs a reason.
            let treatments = try VisitStore.treatments(of: [id], on: self.db)[id] ?? []
            let chargeless = visit.kind.isChargeless || treatments.allSatisfy(\.feeCodes.isEmpty)
            return .leave(unpaidAllowed: chargeless || !reason.isEmpty)
        }, context: context, at: now) { visit, next, db in
            try VisitStore.advance(id, to: next, at: now, reason: reason, on: db)
            try VisitStore.addStep(id, next, at: now, by: context.actor, note: reason, on: db)
            try ReceptionEvents.visitEnded(visit, status: next, at: now, on: db)
        }
    }

    func markLeftUnseen(_ context: RequestContext, _ request: Clinic_Reception_V1_MarkLeftUnseenRequest) throws -> Clinic_Reception_V1_Visit {
        let id = try CheckedID.parse(request.visitID, field: "visitId")
        let reason = request.reason.trimmingWhitespace()
        let now = Date().inStoredPrecision
        return try step(id, .leaveUnseen, context: context, at: now) { visit, _, db in
            try Self.recordLeftUnseen(visit, at: now, reason: reason, by: context.actor, on: db)
        }
    }

    /// Records that the patient of `visit` (checked in or waiting) left unseen: the state and its step, and the events
    /// follow-up calls back on (with the phone) and that end the visit.
    static func recordLeftUnseen(_ visit: VisitRecord, at: Date, reason: String, by: String, on db: Connection) throws {
        guard let patient = try PatientStore.find(visit.patientID, on: db) else { throw RPCError.internalError("patient vanished") }
        try VisitStore.advance(visit.id, to: .leftUnseen, at: at, reason: reason, on: db)
        try VisitStore.addStep(visit.id, .leftUnseen, at: at, by: by, note: reason, on: db)
        try ReceptionEvents.patientLeftUnseen(visit, phone: patient.phone, at: at, reason: reason, by: by, on: db)
        try ReceptionEvents.visitEnded(visit, status: .leftUnseen, at: at, on: db)
    }

    /// One step of a visit in one transaction: lock the visit, check the step against its state (FAILED_PRECONDITION
    /// naming the state when illegal), apply it with `write`, and answer the visit as it is now.
    func step(_ id: UUID, _ step: VisitStep, context: RequestContext, at: Date,
              write: (VisitRecord, VisitStatus, Connection) throws -> Void) throws -> Clinic_Reception_V1_Visit {
        try self.step(id, { _ in step }, context: context, at: at, write: write)
    }

    /// As `step`, with the step decided from the locked visit.
    func step(_ id: UUID, _ decide: (VisitRecord) throws -> VisitStep, context: RequestContext, at: Date,
              write: (VisitRecord, VisitStatus, Connection) throws -> Void) throws -> Clinic_Reception_V1_Visit {
        try IdempotentWrite.perform(context, on: db) { db in
            guard let visit = try VisitStore.find(id, forUpdate: true, on: db) else {
                throw RPCError.notFound("visit \(id.lowercasedText) not found")
            }
            let next = try VisitLifecycle.next(after: try decide(visit), from: visit.status).get()
            try write(visit, next, db)
            return try visitMessage(id, on: db)
        }
    }

    /// The visit with its steps and treatments; NOT_FOUND when there is none.
    func visitMessage(_ id: UUID, on db: Connection) throws -> Clinic_Reception_V1_Visit {
        guard let record = try VisitStore.find(id, on: db) else { throw RPCError.notFound("visit \(id.lowercasedText) not found") }
        return try visitMessages([record], on: db)[0]
    }

    /// Visits with their steps and treatments, two statements for the lot.
    func visitMessages(_ records: [VisitRecord], on db: Connection) throws -> [Clinic_Reception_V1_Visit] {
        guard !records.isEmpty else { return [] }
        let ids = records.map(\.id)
        let steps = try VisitStore.steps(of: ids, on: db)
        let treatments = try VisitStore.treatments(of: ids, on: db)
        let messages = VisitMessages(clock: calendar)
        return records.map { messages.visit($0, steps: steps[$0.id] ?? [], treatments: treatments[$0.id] ?? []) }
    }

    /// FDI tooth numbers from a request (the contract checked each; a number that is not one is named anyway).
    static func teeth(_ numbers: [Int32], field: String) throws -> [ToothNumber] {
        var teeth: [ToothNumber] = []
        for (index, number) in numbers.enumerated() {
            guard let tooth = ToothNumber(Int(number)) else { throw RPCError.invalidArgument(field: "\(field)[\(index)]", ToothNumber.expectation) }
            if !teeth.contains(tooth) { teeth.append(tooth) }
        }
        return teeth
    }

    static func alreadyCheckedIn(existing: UUID) -> RPCError {
        var violation = FieldViolation()
        violation.field = "existingVisitId"
        violation.description_p = existing.lowercasedText
        return RPCError(.alreadyExists, "the patient is already checked in: visit \(existing.lowercasedText)", violations: [violation])
    }

    static func appointmentCheckedIn(_ appointmentID: UUID, existing: UUID) -> RPCError {
        var violation = FieldViolation()
        violation.field = "existingVisitId"
        violation.description_p = existing.lowercasedText
        return RPCError(.alreadyExists, "appointment \(appointmentID.lowercasedText) is already checked in: visit \(existing.lowercasedText)",
                        violations: [violation])
    }
}

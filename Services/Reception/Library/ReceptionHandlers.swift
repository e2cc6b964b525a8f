import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import Foundation
import Logging
import SwiftProtobuf

/// Reception's rpc handlers for one worker thread: protobuf in, domain rules, SQL, protobuf out.
final class ReceptionHandlers {
    let db: Connection
    let calendar: ClinicClock
    let policy: ReceptionPolicy
    let directory: SchedulingDirectory
    let logger: Logger

    /// Handlers bound to this thread's own database connection.
    init(db: Connection, calendar: ClinicClock, policy: ReceptionPolicy, logger: Logger) {
        self.db = db
        self.calendar = calendar
        self.policy = policy
        directory = SchedulingDirectory(clock: calendar)
        self.logger = logger
    }

    /// Every Reception and Events rpc, registered on one set of routes.
    func routes() -> WorkerRoutes {
        let routes = WorkerRoutes()
        typealias Reception = Clinic_Reception_V1_Reception
        routes.register(Reception.registerPatient) { try self.registerPatient($0, $1) }
        routes.registerBatch(Reception.getPatient) { self.getPatients($0) }
        routes.register(Reception.searchPatients) { try self.searchPatients($0, $1) }
        routes.register(Reception.updatePatientContact) { try self.updatePatientContact($0, $1) }
        routes.register(Reception.listContactChanges) { try self.listContactChanges($0, $1) }
        routes.register(Reception.checkInPatient) { try self.checkInPatient($0, $1) }
        routes.register(Reception.listPatientAccessLog) { try self.listPatientAccessLog($0, $1) }
        routes.register(Reception.startVisit) { try self.checkIn($0, $1) }
        routes.register(Reception.suggestVisitKind) { try self.suggestVisitKind($0, $1) }
        routes.register(Reception.getVisit) { try self.getVisit($0, $1) }
        routes.register(Reception.listVisits) { try self.listVisits($0, $1) }
        routes.register(Reception.assignDoctor) { try self.assignDoctor($0, $1) }
        routes.register(Reception.assignCoveringDoctor) { try self.assignCoveringDoctor($0, $1) }
        routes.register(Reception.moveInQueue) { try self.moveInQueue($0, $1) }
        routes.register(Reception.startTreatment) { try self.startTreatment($0, $1) }
        routes.register(Reception.completeTreatment) { try self.completeTreatment($0, $1) }
        routes.register(Reception.leaveVisit) { try self.leaveVisit($0, $1) }
        routes.register(Reception.markLeftUnseen) { try self.markLeftUnseen($0, $1) }
        routes.register(Reception.getQueue) { try self.getQueue($0, $1) }
        routes.register(Reception.recordPhoneConsultation) { try self.recordPhoneConsultation($0, $1) }
        routes.register(Reception.getPhoneConsultation) { try self.getPhoneConsultation($0, $1) }
        routes.register(Reception.listPhoneConsultations) { try self.listPhoneConsultations($0, $1) }
        return routes
    }

    func registerPatient(_ context: RequestContext, _ request: Clinic_Reception_V1_RegisterPatientRequest) throws -> Clinic_Reception_V1_Patient {
        let draft = PatientDraft(name: request.name, birthDate: request.birthDate, phone: request.phone,
                                 nationalID: request.nationalID, allergies: request.allergies,
                                 medicalHistory: request.medicalHistory, notes: request.notes)
        let patient = try PatientRules.validate(draft, today: calendar.today()).orInvalidArgument()
        let details = Self.details(of: request)
        // The unique indexes on phone, name + birth date and national ID refuse a duplicate, so one statement
        // stores the patient and its event; only a refusal costs a second look, to name the existing record.
        let id = UUID.random()
        let event = try ReceptionEvents.patientRegistered(id: id, patient: patient, details: details)
        let registered: Clinic_Reception_V1_Patient
        do {
            registered = try IdempotentWrite.perform(context, on: db, singleStatement: true) { db in
                message(for: try PatientStore.insert(patient, id: id, details: details, createdBy: context.actor,
                                                     event: event, on: db))
            }
        } catch let error as StoreError where error.isUniqueViolation {
            if let existing = try PatientStore.findDuplicate(of: patient, on: db) { throw Self.duplicate(existing) }
            throw RPCError.alreadyExists("a patient with the same national ID is already registered")
        }
        logger.info("patient registered", metadata: ["patient_id": "\(registered.id)", "request_id": "\(context.requestID)"])
        return registered
    }

    /// Records for the requests that arrived together, each shown as its reader's roles allow and each read that
    /// shows protected fields written to the access log. The usual batch, whose readers all see protected fields
    /// of every patient, takes one database round trip; one with other readers (a consultant, a cashier) takes two,
    /// as whether a read shows anything depends on the record.
    func getPatients(_ calls: [(RequestContext, Clinic_Reception_V1_GetPatientRequest)]) -> [Result<Clinic_Reception_V1_Patient, any Error>] {
        BatchAnswers.answer(calls, prepare: { context, request in
            let read = PatientStore.LoggedRead(patientID: try CheckedID.parse(request.patientID, field: "patientId"),
                                               reader: context.actor, role: context.caller.roleNames.joined(separator: ","),
                                               reason: request.reason.trimmingWhitespace())
            return (read: read, caller: context.caller)
        }, together: { reads in
            let alwaysLogged = reads.allSatisfy { PatientPrivacy.revealsAlways(to: $0.caller) }
            let found = alwaysLogged ? try PatientStore.readLogged(reads.map(\.read), on: db)
                                     : try PatientStore.find(reads.map(\.read.patientID), on: db)
            let shown = reads.map { read, caller in
                found[read.patientID].map { (record: $0, privacy: PatientPrivacy(caller: caller, consultant: $0.consultant)) }
            }
            if !alwaysLogged {
                let revealing = zip(reads, shown).filter { $1?.privacy.revealsAnything ?? false }.map(\.0.read)
                if !revealing.isEmpty { try PatientStore.log(revealing, on: db) }
            }
            return zip(reads, shown).map { read, shown in
                guard let (record, privacy) = shown else {
                    return .failure(RPCError.notFound("patient \(read.read.patientID.lowercasedText) not found"))
                }
                var patient = message(for: record)
                privacy.apply(to: &patient)
                return .success(patient)
            }
        })
    }

    func listPatientAccessLog(_ context: RequestContext, _ request: Clinic_Reception_V1_ListPatientAccessLogRequest) throws -> Clinic_Reception_V1_ListPatientAccessLogResponse {
        let id = try CheckedID.parse(request.patientID, field: "patientId")
        guard try PatientStore.exists(id, on: db) else { throw RPCError.notFound("patient \(id.lowercasedText) not found") }
        let page = try Page(request.page)
        let entries = try PatientStore.accessLog(of: id, limit: page.size + 1, offset: page.offset, on: db)
        var response = Clinic_Reception_V1_ListPatientAccessLogResponse()
        response.entries = entries.prefix(page.size).map { entry in
            var message = Clinic_Reception_V1_PatientAccessEntry()
            message.accessedBy = entry.accessedBy
            message.roles = entry.roles.split(separator: ",").map(String.init)
            message.reason = entry.reason
            message.accessedAt = Google_Protobuf_Timestamp(date: entry.accessedAt)
            return message
        }
        if entries.count > page.size { response.nextPageToken = page.next.token }
        return response
    }

    func searchPatients(_ context: RequestContext, _ request: Clinic_Reception_V1_SearchPatientsRequest) throws -> Clinic_Reception_V1_SearchPatientsResponse {
        let query = request.query.trimmingWhitespace()
        let page = try Page(request.page)
        let isPhone = query.allSatisfy(\.isASCIIDigit)
        if isPhone, query.count < 3 {
            throw RPCError.invalidArgument(field: "query", "a phone prefix needs at least 3 digits")
        }
        // One row more than the page tells whether there is a next page.
        let found = try PatientStore.search(phonePrefix: isPhone ? query : nil, namePrefix: isPhone ? nil : query,
                                            limit: page.size + 1, offset: page.offset, on: db)
        var response = Clinic_Reception_V1_SearchPatientsResponse()
        let today = calendar.today()
        response.patients = found.prefix(page.size).map { summary(for: $0, today: today) }
        if found.count > page.size { response.nextPageToken = page.next.token }
        return response
    }

    func updatePatientContact(_ context: RequestContext, _ request: Clinic_Reception_V1_UpdatePatientContactRequest) throws -> Clinic_Reception_V1_Patient {
        let id = try CheckedID.parse(request.patientID, field: "patientId")
        var update = ContactUpdate(phone: nil, address: nil, reason: request.reason,
                                   expectedVersion: request.expectedVersion == 0 ? nil : request.expectedVersion,
                                   changedBy: context.actor)
        // The contract has checked the phone's shape, the lengths and that one of phone and address is given.
        if !request.phone.isEmpty {
            guard let phone = MobileNumber(request.phone) else { throw RPCError.invalidArgument(field: "phone", MobileNumber.expectation) }
            update.phone = phone
        }
        if !request.address.isEmpty { update.address = request.address.trimmingWhitespace() }

        return try db.transaction { db in
            guard let current = try PatientStore.find(id, forUpdate: true, on: db) else {
                throw RPCError.notFound("patient \(id.lowercasedText) not found")
            }
            if let expected = update.expectedVersion, expected != current.version {
                throw RPCError(.aborted, "patient \(id.lowercasedText) is at version \(current.version), not \(expected): reload and retry")
            }
            let changes = update.changes(to: current)
            guard !changes.isEmpty else { return message(for: current) }
            if let phone = update.phone, let owner = try PatientStore.findPhoneOwner(phone, excluding: id, on: db) {
                throw RPCError.alreadyExists("the new phone is already registered to patient \(owner.lowercasedText)")
            }
            let updated = try PatientStore.applyContactChanges(changes, to: id, update: update, on: db)
            try ReceptionEvents.patientUpdated(updated, changedFields: changes.map(\.field), on: db)
            logger.info("patient contact updated", metadata: ["patient_id": "\(id.lowercasedText)", "fields": "\(changes.map(\.field))"])
            return message(for: updated)
        }
    }

    func listContactChanges(_ context: RequestContext, _ request: Clinic_Reception_V1_ListContactChangesRequest) throws -> Clinic_Reception_V1_ListContactChangesResponse {
        let id = try CheckedID.parse(request.patientID, field: "patientId")
        guard try PatientStore.find(id, on: db) != nil else {
            throw RPCError.notFound("patient \(id.lowercasedText) not found")
        }
        var response = Clinic_Reception_V1_ListContactChangesResponse()
        response.changes = try PatientStore.contactChanges(of: id, on: db).map { change in
            var message = Clinic_Reception_V1_ContactChange()
            message.field = change.field
            let isPhone = change.field == "phone"
            message.oldValue = isPhone ? MobileNumber.mask(change.oldValue) : change.oldValue
            message.newValue = isPhone ? MobileNumber.mask(change.newValue) : change.newValue
            message.changedBy = change.changedBy
            message.reason = change.reason
            message.changedAt = Google_Protobuf_Timestamp(date: change.changedAt)
            return message
        }
        return response
    }

    // MARK: protobuf ⇄ domain

    private func message(for record: PatientRecord) -> Clinic_Reception_V1_Patient {
        let today = calendar.today()
        var patient = Clinic_Reception_V1_Patient()
        patient.id = record.id.lowercasedText
        patient.name = record.name
        patient.gender = .init(rawValue: record.gender) ?? .unspecified
        patient.birthDate = record.birthDate.description
        patient.age = Int32(calendar.age(birth: record.birthDate, on: today))
        patient.phone = record.phone
        patient.nationalID = record.nationalID ?? ""
        patient.address = record.address
        patient.allergies = record.allergies
        patient.medicalHistory = record.medicalHistory
        patient.contraindications = record.contraindications
        patient.sourceChannel = .init(rawValue: record.sourceChannel) ?? .unspecified
        patient.referrer = record.referrer
        patient.preferredDoctorID = record.preferredDoctorID
        patient.preferredDoctorGender = .init(rawValue: record.preferredDoctorGender) ?? .unspecified
        patient.consultant = record.consultant
        patient.vip = record.vip
        patient.notes = record.notes
        patient.createdAt = Google_Protobuf_Timestamp(date: record.createdAt)
        patient.updatedAt = Google_Protobuf_Timestamp(date: record.updatedAt)
        patient.version = record.version
        return patient
    }

    private func summary(for listing: PatientListing, today: ClinicDate) -> Clinic_Reception_V1_PatientSummary {
        var summary = Clinic_Reception_V1_PatientSummary()
        summary.id = listing.id.lowercasedText
        summary.name = listing.name
        summary.gender = .init(rawValue: listing.gender) ?? .unspecified
        summary.birthDate = listing.birthDate.description
        summary.age = Int32(calendar.age(birth: listing.birthDate, on: today))
        summary.phoneMasked = listing.phoneMasked
        summary.vip = listing.vip
        return summary
    }

    private static func details(of request: Clinic_Reception_V1_RegisterPatientRequest) -> PatientDetails {
        PatientDetails(
            gender: request.gender.rawValue, address: request.address.trimmingWhitespace(),
            allergies: request.allergies.map { $0.trimmingWhitespace() },
            medicalHistory: request.medicalHistory.map { $0.trimmingWhitespace() },
            contraindications: request.contraindications, sourceChannel: request.sourceChannel.rawValue,
            referrer: request.referrer, preferredDoctorID: request.preferredDoctorID,
            preferredDoctorGender: request.preferredDoctorGender.rawValue, consultant: request.consultant,
            vip: request.vip, notes: request.notes)
    }

    static func duplicate(_ existing: UUID) -> RPCError {
        var violation = FieldViolation()
        violation.field = "existingPatientId"
        violation.description_p = existing.lowercasedText
        return RPCError(.alreadyExists,
                        "a patient with the same phone, or the same name and birth date, is already registered: \(existing.lowercasedText)",
                        violations: [violation])
    }
}

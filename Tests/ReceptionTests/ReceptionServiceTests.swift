import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import Testing
@testable import Reception

/// Reception's rpcs over a real broker and a real PostgreSQL schema.
@Suite("Reception over the bus")
struct ReceptionServiceTests {
    typealias Reception = Clinic_Reception_V1_Reception

    @Test func everyContractMethodHasAHandler() throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let db = try harness.database()
        defer { db.close() }
        let routes = try ReceptionService.definition().routes(db: db, environment: ServiceEnvironment(timeZone: .gmt, logger: ReceptionHarness.logger))
        #expect(routes.registeredMethods == ReceptionService.contractMethods)
    }

    @Test func registerThenGetLogsTheRead() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        var request = newPatient(name: "王芳", birthDate: "1990-05-01")
        request.allergies = ["青霉素"]
        request.sourceChannel = .referral
        let created = try await harness.call(Reception.registerPatient, request)
        #expect(!created.id.isEmpty)
        #expect(created.name == "王芳")
        #expect(created.phone == request.phone)
        #expect(created.age >= 35)
        #expect(created.version == 1)

        var get = Clinic_Reception_V1_GetPatientRequest()
        get.patientID = created.id
        get.reason = "treatment"
        let nurse = UUID().uuidString.lowercased()
        var options = await CallOptions.staff([.nurse], timeout: .seconds(5))
        options.token = await TestStaff.token([.nurse], memberID: nurse)
        let fetched = try await harness.client.call(Reception.getPatient, get, options: options)
        #expect(fetched == created)
        let db = try harness.database()
        defer { db.close() }
        let logged = try db.query("SELECT accessed_by, reason FROM patient_access_log WHERE patient_id = \(UUID(uuidString: created.id)!)")
        #expect(logged.count == 1)
        #expect(try logged.first?.decode("accessed_by", as: String.self) == nurse)
        #expect(try logged.first?.decode("reason", as: String.self) == "treatment")
    }

    @Test func readsServedTogetherEachGetTheirOwnAnswerAndAccessLogEntry() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let first = try await harness.call(Reception.registerPatient, newPatient(name: "批量甲", birthDate: "1980-01-02"))
        let second = try await harness.call(Reception.registerPatient, newPatient(name: "批量乙", birthDate: "1981-03-04"))
        let db = try harness.database()
        defer { db.close() }
        let routes = try ReceptionService.definition().routes(db: db, environment: ServiceEnvironment(timeZone: .gmt, logger: ReceptionHarness.logger))
        routes.gate = StaffGate.forTests
        #expect(routes.servesInBatches(Reception.getPatient.fullName))

        func incoming(_ id: String, reason: String, reader: String, number: Int) async throws -> WorkerRoutes.Incoming {
            var header = Clinic_Bus_V1_RequestHeader()
            header.method = Reception.getPatient.fullName
            header.requestID = "batch-\(number)"
            header.token = await TestStaff.token([.nurse], memberID: reader)
            var request = Clinic_Reception_V1_GetPatientRequest()
            request.patientID = id
            request.reason = reason
            return (header, try request.serializedBytes())
        }
        let unknown = UUID().uuidString.lowercased()
        var batch = [
            try await incoming(first.id, reason: "treatment", reader: "nurse-1", number: 0),
            try await incoming(second.id, reason: "billing", reader: "nurse-2", number: 1),
            try await incoming(first.id, reason: "follow-up", reader: "nurse-3", number: 2),
            try await incoming("not-an-id", reason: "x", reader: "nurse-4", number: 3),
            try await incoming(unknown, reason: "x", reader: "nurse-5", number: 4),
        ]
        var undecodable = batch[0]
        undecodable.header.requestID = "batch-5"
        undecodable.payload = [0xFF, 0xFF]
        batch.append(undecodable)

        // Token checks block their thread on a first sight, so the batch is served where a worker would serve it.
        nonisolated(unsafe) let unsafeRoutes = routes
        let requests = batch
        let replies = try await onThread { unsafeRoutes.handle(requests, logger: ReceptionHarness.logger) }
        #expect(replies.map(\.header.requestID) == (0..<6).map { "batch-\($0)" })
        #expect(replies.map(\.header.code) == [.ok, .ok, .ok, .invalidArgument, .notFound, .invalidArgument])
        #expect(try Clinic_Reception_V1_Patient(serializedBytes: replies[0].payload) == first)
        #expect(try Clinic_Reception_V1_Patient(serializedBytes: replies[1].payload) == second)
        #expect(try Clinic_Reception_V1_Patient(serializedBytes: replies[2].payload) == first)
        #expect(replies[3].header.violations.map(\.field) == ["patientId"])

        // One entry per read of a record on file, each with its own reader and reason; none for the failures.
        let logged = try db.query("""
            SELECT patient_id::text AS patient, accessed_by, role, reason FROM patient_access_log
            WHERE patient_id = ANY(\([UUID(uuidString: first.id)!, UUID(uuidString: second.id)!, UUID(uuidString: unknown)!]))
            ORDER BY accessed_by
            """)
        let entries = try logged.map { row in
            [try row.decode("patient", as: String.self), try row.decode("accessed_by", as: String.self),
             try row.decode("role", as: String.self), try row.decode("reason", as: String.self)]
        }
        #expect(entries == [[first.id, "nurse-1", "nurse", "treatment"], [second.id, "nurse-2", "nurse", "billing"],
                            [first.id, "nurse-3", "nurse", "follow-up"]])
    }

    @Test func invalidInputNamesTheFields() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        var request = newPatient(phone: "555-1234")
        request.name = ""
        let error = await #expect(throws: RPCError.self) { try await harness.call(Reception.registerPatient, request) }
        #expect(error?.code == .invalidArgument)
        #expect(Set(error?.violations.map(\.field) ?? []) == ["name", "phone"])
        #expect(error?.message.contains("555") == false)

        var get = Clinic_Reception_V1_GetPatientRequest()
        get.patientID = "42"
        let badID = await #expect(throws: RPCError.self) { try await harness.call(Reception.getPatient, get) }
        #expect(badID?.code == .invalidArgument)
        get.patientID = UUID().uuidString
        let missing = await #expect(throws: RPCError.self) { try await harness.call(Reception.getPatient, get) }
        #expect(missing?.code == .notFound)
    }

    @Test func duplicatesByPhoneOrNameAndBirthDateNameTheExistingRecord() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let first = try await harness.call(Reception.registerPatient, newPatient(name: "Li Lei", birthDate: "1980-01-02"))

        let samePhone = newPatient(name: "Someone Else", birthDate: "1970-01-01", phone: first.phone)
        let byPhone = await #expect(throws: RPCError.self) { try await harness.call(Reception.registerPatient, samePhone) }
        #expect(byPhone?.code == .alreadyExists)
        #expect(byPhone?.violations.first?.description_p == first.id)
        #expect(byPhone?.message.contains(first.phone) == false)

        let sameNameAndBirth = newPatient(name: "li lei", birthDate: "1980-01-02")
        let byName = await #expect(throws: RPCError.self) { try await harness.call(Reception.registerPatient, sameNameAndBirth) }
        #expect(byName?.code == .alreadyExists)
        #expect(byName?.message.contains(first.id) == true)

        // Same name, other birth date: a different person.
        _ = try await harness.call(Reception.registerPatient, newPatient(name: "Li Lei", birthDate: "1981-01-02"))
    }

    @Test func concurrentRegistrationsOfOnePhoneCreateOneRecord() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let phone = uniquePhone()
        let outcomes = await withTaskGroup(of: StatusCode.self) { group in
            for index in 0..<8 {
                group.addTask {
                    await rpcResult { try await harness.call(Reception.registerPatient, newPatient(name: "并发\(index)", phone: phone)) }.code
                }
            }
            return await group.reduce(into: [StatusCode]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == .ok }.count == 1)
        #expect(outcomes.filter { $0 == .alreadyExists }.count == 7)
        let db = try harness.database()
        defer { db.close() }
        #expect(try db.query("SELECT count(*) AS n FROM patients WHERE phone = \(phone)").first?.decode("n", as: Int.self) == 1)
    }

    @Test func aRetryWithTheSameIdempotencyKeyReturnsTheFirstResult() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let request = newPatient()
        let key = UUID().uuidString
        let first = try await harness.call(Reception.registerPatient, request, idempotencyKey: key)
        let again = try await harness.call(Reception.registerPatient, request, idempotencyKey: key)
        #expect(again == first)
        let db = try harness.database()
        defer { db.close() }
        #expect(try db.query("SELECT count(*) AS n FROM patients").first?.decode("n", as: Int.self) == 1)
        #expect(try db.query("SELECT count(*) AS n FROM outbox").first?.decode("n", as: Int.self) == 1)
    }

    @Test func searchMasksPhonesAndPages() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let prefix = "1350000"
        for index in 0..<5 {
            _ = try await harness.call(Reception.registerPatient,
                                       newPatient(name: "张\(index)", birthDate: "1990-01-0\(index + 1)", phone: "\(prefix)000\(index)"))
        }
        _ = try await harness.call(Reception.registerPatient, newPatient(name: "O'Brien'); DROP TABLE patients; --"))

        var search = Clinic_Reception_V1_SearchPatientsRequest()
        search.query = prefix
        search.page.pageSize = 3
        let page1 = try await harness.call(Reception.searchPatients, search)
        #expect(page1.patients.count == 3)
        #expect(page1.patients.allSatisfy { $0.phoneMasked.hasPrefix("135****") && $0.phoneMasked.count == 11 })
        #expect(!page1.nextPageToken.isEmpty)
        search.page.pageToken = page1.nextPageToken
        let page2 = try await harness.call(Reception.searchPatients, search)
        #expect(page2.patients.count == 2)
        #expect(page2.nextPageToken.isEmpty)
        #expect(Set(page1.patients.map(\.id)).isDisjoint(with: page2.patients.map(\.id)))

        search = .init()
        search.query = "张"
        #expect(try await harness.call(Reception.searchPatients, search).patients.count == 5)
        search.query = "O'Brien'); DROP"
        #expect(try await harness.call(Reception.searchPatients, search).patients.first?.name == "O'Brien'); DROP TABLE patients; --")
        search.query = "o'bRIEN"
        #expect(try await harness.call(Reception.searchPatients, search).patients.count == 1)
        search.query = "Brien"
        #expect(try await harness.call(Reception.searchPatients, search).patients.isEmpty)
        search.query = "张1"
        #expect(try await harness.call(Reception.searchPatients, search).patients.map(\.name) == ["张1"])
        search.query = "13500000003"
        #expect(try await harness.call(Reception.searchPatients, search).patients.count == 1)
        search.query = "1350000000"
        #expect(try await harness.call(Reception.searchPatients, search).patients.count == 5)
        search.query = "%"
        #expect(try await harness.call(Reception.searchPatients, search).patients.isEmpty)
        search.query = ""
        let empty = await #expect(throws: RPCError.self) { try await harness.call(Reception.searchPatients, search) }
        #expect(empty?.violations.first?.field == "query")
        search.query = "张"
        search.page.pageToken = "garbage"
        let token = await #expect(throws: RPCError.self) { try await harness.call(Reception.searchPatients, search) }
        #expect(token?.violations.first?.field == "page.pageToken")
    }

    @Test func contactChangesKeepHistoryAndGuardVersions() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let patient = try await harness.call(Reception.registerPatient, newPatient())
        let other = try await harness.call(Reception.registerPatient, newPatient(name: "别人"))

        var update = Clinic_Reception_V1_UpdatePatientContactRequest()
        update.patientID = patient.id
        update.phone = uniquePhone()
        update.address = "北京市朝阳区"
        update.reason = "搬家"
        update.expectedVersion = 1
        let updated = try await harness.call(Reception.updatePatientContact, update)
        #expect(updated.phone == update.phone)
        #expect(updated.address == "北京市朝阳区")
        #expect(updated.version == 2)

        let stale = await #expect(throws: RPCError.self) { try await harness.call(Reception.updatePatientContact, update) }
        #expect(stale?.code == .aborted)

        update.expectedVersion = 0
        update.phone = other.phone
        update.address = ""
        let taken = await #expect(throws: RPCError.self) { try await harness.call(Reception.updatePatientContact, update) }
        #expect(taken?.code == .alreadyExists)

        var list = Clinic_Reception_V1_ListContactChangesRequest()
        list.patientID = patient.id
        let history = try await harness.call(Reception.listContactChanges, list).changes
        #expect(Set(history.map(\.field)) == ["phone", "address"])
        let phoneChange = try #require(history.first { $0.field == "phone" })
        #expect(phoneChange.oldValue == MobileNumber.mask(patient.phone))
        #expect(phoneChange.changedBy == CallOptions.testMemberID)
        #expect(phoneChange.reason == "搬家")
    }

    @Test func eventsAreReplayableInOrder() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let patient = try await harness.call(Reception.registerPatient, newPatient())
        var update = Clinic_Reception_V1_UpdatePatientContactRequest()
        update.patientID = patient.id
        update.address = "上海"
        _ = try await harness.call(Reception.updatePatientContact, update)

        var replay = Clinic_Bus_V1_ReplayRequest()
        replay.afterSeq = 0
        var events: [Clinic_Bus_V1_Event] = []
        // The relay stamps sequence numbers shortly after commit.
        #expect(try await eventually {
            events = try await harness.call(Clinic_Reception_V1_Events.replay, replay).events
            return events.count == 2
        })
        #expect(events.map(\.header.seq) == [1, 2])
        #expect(events.map(\.header.type) == ["clinic.reception.v1.PatientRegistered", "clinic.reception.v1.PatientUpdated"])
        #expect(events.allSatisfy { $0.header.publisher == "reception" })
        let registered = try Clinic_Reception_V1_PatientRegistered(serializedBytes: events[0].payload)
        #expect(registered.patientID == patient.id)
        replay.afterSeq = 1
        #expect(try await harness.call(Clinic_Reception_V1_Events.replay, replay).events.map(\.header.seq) == [2])
    }
}


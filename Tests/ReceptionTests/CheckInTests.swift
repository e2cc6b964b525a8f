import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import Testing
@testable import Reception

/// Checking patients in at the desk: validation, one check-in per appointment, idempotent retries, the event.
@Suite("Check-in over the bus")
struct CheckInTests {
    typealias Reception = Clinic_Reception_V1_Reception

    static func checkIn(_ patientID: String, appointment: String = "") -> Clinic_Reception_V1_CheckInPatientRequest {
        var request = Clinic_Reception_V1_CheckInPatientRequest()
        request.patientID = patientID
        request.appointmentID = appointment
        return request
    }

    @Test func checkingInForAnAppointmentStoresTheArrival() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let patient = try await harness.call(Reception.registerPatient, newPatient())
        let appointment = UUID().uuidString.lowercased()
        let before = Date()
        let checkIn = try await harness.call(Reception.checkInPatient, Self.checkIn(patient.id, appointment: appointment))
        #expect(UUID(uuidString: checkIn.id) != nil)
        #expect(checkIn.patientID == patient.id)
        #expect(checkIn.appointmentID == appointment)
        #expect(checkIn.checkedInBy == CallOptions.testMemberID)
        #expect(abs(checkIn.checkedInAt.date.timeIntervalSince(before)) < 30)

        let db = try harness.database()
        defer { db.close() }
        let rows = try db.query("SELECT patient_id, appointment_id, checked_in_by FROM check_ins WHERE id = \(try #require(UUID(uuidString: checkIn.id)))")
        #expect(rows.count == 1)
        #expect(try rows.first?.decode("patient_id", as: UUID.self) == UUID(uuidString: patient.id))
        #expect(try rows.first?.decode("appointment_id", as: UUID?.self) == UUID(uuidString: appointment))
    }

    @Test func walkInsNeedNoAppointmentAndMayComeTwice() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let patient = try await harness.call(Reception.registerPatient, newPatient())
        let morning = try await harness.call(Reception.checkInPatient, Self.checkIn(patient.id))
        let afternoon = try await harness.call(Reception.checkInPatient, Self.checkIn(patient.id))
        #expect(morning.appointmentID.isEmpty)
        #expect(morning.id != afternoon.id)
        let db = try harness.database()
        defer { db.close() }
        #expect(try db.query("SELECT count(*) AS n FROM check_ins WHERE appointment_id IS NULL").first?.decode("n", as: Int.self) == 2)
    }

    @Test func anUnknownPatientIsNotFound() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let missing = await #expect(throws: RPCError.self) {
            try await harness.call(Reception.checkInPatient, Self.checkIn(UUID().uuidString, appointment: UUID().uuidString))
        }
        #expect(missing?.code == .notFound)
        let db = try harness.database()
        defer { db.close() }
        #expect(try db.query("SELECT count(*) AS n FROM check_ins").first?.decode("n", as: Int.self) == 0)
        #expect(try db.query("SELECT count(*) AS n FROM outbox").first?.decode("n", as: Int.self) == 0)
    }

    @Test func badIdsNameTheirFields() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let patient = try await harness.call(Reception.registerPatient, newPatient())

        let noPatient = await #expect(throws: RPCError.self) { try await harness.call(Reception.checkInPatient, Self.checkIn("")) }
        #expect(noPatient?.code == .invalidArgument)
        #expect(noPatient?.violations.map(\.field) == ["patientId"])

        let badAppointment = await #expect(throws: RPCError.self) {
            try await harness.call(Reception.checkInPatient, Self.checkIn(patient.id, appointment: "appt-7"))
        }
        #expect(badAppointment?.code == .invalidArgument)
        #expect(badAppointment?.violations.map(\.field) == ["appointmentId"])

        let both = await #expect(throws: RPCError.self) {
            try await harness.call(Reception.checkInPatient, Self.checkIn("42", appointment: "nope"))
        }
        #expect(Set(both?.violations.map(\.field) ?? []) == ["patientId", "appointmentId"])
    }

    @Test func anAppointmentIsCheckedInOnceNamingTheExistingCheckIn() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let patient = try await harness.call(Reception.registerPatient, newPatient())
        let appointment = UUID().uuidString
        let first = try await harness.call(Reception.checkInPatient, Self.checkIn(patient.id, appointment: appointment))
        let again = await #expect(throws: RPCError.self) {
            try await harness.call(Reception.checkInPatient, Self.checkIn(patient.id, appointment: appointment))
        }
        #expect(again?.code == .alreadyExists)
        #expect(again?.message.contains(first.id) == true)
        #expect(again?.violations.first?.field == "existingCheckInId")
        #expect(again?.violations.first?.description_p == first.id)
        #expect(again?.message.contains(patient.phone) == false)
    }

    @Test func concurrentCheckInsOfOneAppointmentStoreOne() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let patient = try await harness.call(Reception.registerPatient, newPatient())
        let appointment = UUID().uuidString
        let outcomes = await withTaskGroup(of: StatusCode.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    await rpcResult { try await harness.call(Reception.checkInPatient, Self.checkIn(patient.id, appointment: appointment)) }.code
                }
            }
            return await group.reduce(into: [StatusCode]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == .ok }.count == 1)
        #expect(outcomes.filter { $0 == .alreadyExists }.count == 7)
        let db = try harness.database()
        defer { db.close() }
        #expect(try db.query("SELECT count(*) AS n FROM check_ins").first?.decode("n", as: Int.self) == 1)
        #expect(try db.query("SELECT count(*) AS n FROM outbox WHERE type = 'clinic.reception.v1.PatientCheckedIn'")
            .first?.decode("n", as: Int.self) == 1)
    }

    @Test func aRetryWithTheSameIdempotencyKeyReturnsTheFirstCheckIn() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let patient = try await harness.call(Reception.registerPatient, newPatient())
        let key = UUID().uuidString
        let request = Self.checkIn(patient.id, appointment: UUID().uuidString)
        let first = try await harness.call(Reception.checkInPatient, request, idempotencyKey: key)
        let retry = try await harness.call(Reception.checkInPatient, request, idempotencyKey: key)
        #expect(retry == first)
        // A walk-in retried with its key is not recorded twice either.
        let walkInKey = UUID().uuidString
        let walkIn = try await harness.call(Reception.checkInPatient, Self.checkIn(patient.id), idempotencyKey: walkInKey)
        #expect(try await harness.call(Reception.checkInPatient, Self.checkIn(patient.id), idempotencyKey: walkInKey) == walkIn)
        let db = try harness.database()
        defer { db.close() }
        #expect(try db.query("SELECT count(*) AS n FROM check_ins").first?.decode("n", as: Int.self) == 2)
    }

    @Test func theCheckInIsPublishedAndReplayable() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let patient = try await harness.call(Reception.registerPatient, newPatient())
        let appointment = UUID().uuidString.lowercased()
        let checkIn = try await harness.call(Reception.checkInPatient, Self.checkIn(patient.id, appointment: appointment))

        var replay = Clinic_Bus_V1_ReplayRequest()
        replay.afterSeq = 0
        var events: [Clinic_Bus_V1_Event] = []
        #expect(try await eventually {
            events = try await harness.call(Clinic_Reception_V1_Events.replay, replay).events
            return events.count == 2
        })
        #expect(events.map(\.header.type) == ["clinic.reception.v1.PatientRegistered", "clinic.reception.v1.PatientCheckedIn"])
        let event = try Clinic_Reception_V1_PatientCheckedIn(serializedBytes: try #require(events.last).payload)
        #expect(event.checkInID == checkIn.id)
        #expect(event.patientID == patient.id)
        #expect(event.appointmentID == appointment)
        #expect(event.checkedInAt == checkIn.checkedInAt)

        let db = try harness.database()
        defer { db.close() }
        #expect(try db.query("SELECT topic FROM outbox WHERE type = 'clinic.reception.v1.PatientCheckedIn'")
            .first?.decode("topic", as: String.self) == "clinic.reception.PatientCheckedIn")
    }
}

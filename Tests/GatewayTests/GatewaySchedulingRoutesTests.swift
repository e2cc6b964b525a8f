import ClinicBus
import ClinicService
import ClinicProto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import ClinicTestSupport
import SwiftProtobuf
import Testing
@testable import Gateway

/// A real broker with a worker pool that answers scheduling rpcs by echoing what the gateway bound into the request.
final class SchedulingEchoBackend: Sendable {
    let broker: Broker
    let workers: WorkerPool
    let client: BusClient

    init() throws {
        let (broker, endpoints) = try TestBroker.start(logger: TestBackend.logger)
        self.broker = broker
        workers = WorkerPool(configuration: .init(brokerEndpoint: endpoints.requests, service: Clinic_Scheduling_V1_Scheduling.busService,
                                                  threads: 2, heartbeatInterval: .milliseconds(100)),
                             logger: TestBackend.logger) { _ in Self.routes() }
        try workers.start()
        client = try BusClient(endpoint: endpoints.requests, logger: TestBackend.logger)
    }

    /// Replies that carry the bound request fields back, so a test can see what the path and query filled.
    static func routes() -> WorkerRoutes {
        typealias Scheduling = Clinic_Scheduling_V1_Scheduling
        let routes = WorkerRoutes()
        routes.gate = StaffGate.forTests
        routes.register(Scheduling.findSlots) { _, request in
            var slot = Clinic_Scheduling_V1_Slot()
            slot.doctorID = request.doctorID
            slot.doctorName = "\(request.specialty)|\(request.durationMinutes)|\(request.count)|\(request.chairID)|\(request.stepMinutes)"
            slot.startTime = request.fromTime
            var response = Clinic_Scheduling_V1_FindSlotsResponse()
            response.slots = [slot]
            return response
        }
        routes.register(Scheduling.setRosterOverride) { _, request in request.override }
        routes.register(Scheduling.deleteRosterOverride) { _, request in
            var response = Clinic_Scheduling_V1_DeleteRosterOverrideResponse()
            response.deleted = request.doctorID == "d0000000-0000-4000-8000-000000000001" && request.date == "2026-12-01"
            return response
        }
        routes.register(Scheduling.listDayAppointments) { _, request in
            var appointment = Clinic_Scheduling_V1_Appointment()
            appointment.doctorID = request.doctorID
            appointment.chairID = request.chairID
            appointment.notes = "\(request.includeInactive)"
            var response = Clinic_Scheduling_V1_ListDayAppointmentsResponse()
            response.date = request.date
            response.appointments = [appointment]
            return response
        }
        routes.register(Scheduling.cancelAppointment) { _, request in
            guard !request.reason.isEmpty else { throw RPCError.invalidArgument(field: "reason", "is required") }
            var appointment = Clinic_Scheduling_V1_Appointment()
            appointment.id = request.appointmentID
            appointment.status = .cancelled
            appointment.cancelReason = request.reason
            return appointment
        }
        routes.register(Scheduling.bookAppointment) { _, request in
            var appointment = Clinic_Scheduling_V1_Appointment()
            appointment.doctorID = request.doctorID
            appointment.startTime = request.startTime
            appointment.source = request.source
            return appointment
        }
        routes.register(Scheduling.listDoctors) { _, request in
            var doctor = Clinic_Scheduling_V1_Doctor()
            doctor.specialty = request.specialty
            doctor.active = !request.includeInactive
            var response = Clinic_Scheduling_V1_ListDoctorsResponse()
            response.doctors = [doctor]
            return response
        }
        routes.register(Scheduling.getRoster) { _, request in
            var view = Clinic_Scheduling_V1_RosterView()
            view.weekly.doctorID = request.doctorID
            var first = Clinic_Scheduling_V1_EffectiveDay()
            first.date = request.fromDate
            var last = Clinic_Scheduling_V1_EffectiveDay()
            last.date = request.toDate
            view.days = [first, last]
            return view
        }
        routes.register(Scheduling.addLeave) { _, request in
            var response = Clinic_Scheduling_V1_AddLeaveResponse()
            response.leave.doctorID = request.doctorID
            response.leave.reason = request.reason
            return response
        }
        return routes
    }

    func stop() {
        client.close()
        workers.stop()
        broker.stop()
    }
}

@Suite("Gateway scheduling routes")
struct GatewaySchedulingRoutesTests {
    func withGateway(_ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let backend = try SchedulingEchoBackend()
        defer { backend.stop() }
        let router = GatewayRouter.build(transport: backend.client, access: TestAccess.gateway, metrics: GatewayMetrics()) { [] }
        try router.validate()
        try await Application(router: router).test(.router) { client in try await test(client) }
    }

    static func json(_ response: TestResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
    }

    static func field(_ response: TestResponse) -> String? {
        (json(response)["details"] as? [[String: String]])?.first?["field"]
    }

    @Test func slotQueryFillsEveryFieldIncludingATimestampWithAnOffset() async throws {
        try await withGateway { client in
            let uri = "/v1/slots?doctor_id=d0000000-0000-4000-8000-000000000001&specialty=implants&duration_minutes=45&from_time=2026-11-24T09:00:00%2B08:00"
                + "&count=3&chair_id=c0000000-0000-4000-8000-000000000002&step_minutes=10"
            try await client.executeSignedIn(uri: uri, method: .get) { response in
                #expect(response.status == .ok)
                let slot = try #require((Self.json(response)["slots"] as? [[String: Any]])?.first)
                #expect(slot["doctorId"] as? String == "d0000000-0000-4000-8000-000000000001")
                #expect(slot["doctorName"] as? String == "implants|45|3|c0000000-0000-4000-8000-000000000002|10")
                // 09:00 in Shanghai is 01:00 UTC; proto3 JSON renders timestamps in UTC.
                #expect(slot["startTime"] as? String == "2026-11-24T01:00:00Z")
            }
            try await client.executeSignedIn(uri: "/v1/slots?doctor_id=d0000000-0000-4000-8000-000000000001&from_time=tomorrow", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(Self.field(response) == "fromTime")
            }
            try await client.executeSignedIn(uri: "/v1/slots?doctor_id=d0000000-0000-4000-8000-000000000001&count=many", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(Self.field(response) == "count")
            }
        }
    }

    @Test func queryTakesJSONNamesTooRefusesUnknownOnesAndNeverOverridesThePath() async throws {
        try await withGateway { client in
            // The proto3 JSON names work as well as the snake_case ones.
            try await client.executeSignedIn(uri: "/v1/slots?doctorId=d0000000-0000-4000-8000-000000000001&durationMinutes=45&stepMinutes=10", method: .get) { response in
                #expect(response.status == .ok)
                let slot = try #require((Self.json(response)["slots"] as? [[String: Any]])?.first)
                #expect(slot["doctorId"] as? String == "d0000000-0000-4000-8000-000000000001")
                #expect(slot["doctorName"] as? String == "|45|0||10")
            }
            // A parameter that fills no field is refused by name rather than silently ignored.
            try await client.executeSignedIn(uri: "/v1/slots?doctor=d0000000-0000-4000-8000-000000000001", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(Self.field(response) == "doctor")
                #expect((Self.json(response)["message"] as? String)?.contains("is not a field of clinic.scheduling.v1.FindSlotsRequest") == true)
            }
            // The path names the doctor; a query parameter for the same field does not change it.
            try await client.executeSignedIn(uri: "/v1/rosters/d0000000-0000-4000-8000-000000000001?doctor_id=d-2&doctorId=d-3&from_date=2026-12-01", method: .get) { response in
                #expect(response.status == .ok)
                #expect((Self.json(response)["weekly"] as? [String: Any])?["doctorId"] as? String == "d0000000-0000-4000-8000-000000000001")
            }
        }
    }

    @Test func rosterOverridePathFillsTheNestedOverride() async throws {
        try await withGateway { client in
            try await client.executeSignedIn(uri: "/v1/rosters/d0000000-0000-4000-8000-000000000001/overrides/2026-12-01", method: .put,
                                     body: ByteBuffer(string: #"{"override":{"hours":{"start":"09:00","end":"12:00"},"reason":"半天"}}"#)) { response in
                #expect(response.status == .ok)
                let body = Self.json(response)
                #expect(body["doctorId"] as? String == "d0000000-0000-4000-8000-000000000001")
                #expect(body["date"] as? String == "2026-12-01")
                #expect((body["hours"] as? [String: String])?["end"] == "12:00")
            }
            try await client.executeSignedIn(uri: "/v1/rosters/d0000000-0000-4000-8000-000000000001/overrides/2026-12-01", method: .delete) { response in
                #expect(response.status == .ok)
                #expect(Self.json(response)["deleted"] as? Bool == true)
            }
            try await client.executeSignedIn(uri: "/v1/rosters/d0000000-0000-4000-8000-000000000001?from_date=2026-12-01&to_date=2026-12-07", method: .get) { response in
                let body = Self.json(response)
                #expect((body["weekly"] as? [String: Any])?["doctorId"] as? String == "d0000000-0000-4000-8000-000000000001")
                #expect((body["days"] as? [[String: Any]])?.compactMap { $0["date"] as? String } == ["2026-12-01", "2026-12-07"])
            }
        }
    }

    @Test func dayViewDoctorsAndLeaveBindPathAndQuery() async throws {
        try await withGateway { client in
            try await client.executeSignedIn(uri: "/v1/appointments?date=2026-11-24&doctor_id=d0000000-0000-4000-8000-000000000001&chair_id=c0000000-0000-4000-8000-000000000002&include_inactive=true",
                                     method: .get) { response in
                let body = Self.json(response)
                #expect(body["date"] as? String == "2026-11-24")
                let appointment = try #require((body["appointments"] as? [[String: Any]])?.first)
                #expect(appointment["doctorId"] as? String == "d0000000-0000-4000-8000-000000000001")
                #expect(appointment["chairId"] as? String == "c0000000-0000-4000-8000-000000000002")
                #expect(appointment["notes"] as? String == "true")
            }
            try await client.executeSignedIn(uri: "/v1/appointments?include_inactive=maybe", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(Self.field(response) == "includeInactive")
            }
            try await client.executeSignedIn(uri: "/v1/doctors?specialty=orthodontics&include_inactive=true", method: .get) { response in
                let doctor = try #require((Self.json(response)["doctors"] as? [[String: Any]])?.first)
                #expect(doctor["specialty"] as? String == "orthodontics")
                #expect(doctor["active"] == nil)  // proto3 JSON leaves false out
            }
            try await client.executeSignedIn(uri: "/v1/doctors/d0000000-0000-4000-8000-000000000009/leave", method: .post,
                                     body: ByteBuffer(string: #"{"startDate":"2026-12-01","endDate":"2026-12-03","reason":"年假"}"#)) { response in
                #expect(response.status == .created)
                let leave = try #require(Self.json(response)["leave"] as? [String: Any])
                #expect(leave["doctorId"] as? String == "d0000000-0000-4000-8000-000000000009")
                #expect(leave["reason"] as? String == "年假")
            }
        }
    }

    @Test func bookingAnswers201AndABadEnumIs400NamingTheField() async throws {
        try await withGateway { client in
            let good = #"{"patientId":"10000000-0000-4000-8000-000000000001","doctorId":"d0000000-0000-4000-8000-000000000001","startTime":"2026-11-24T09:30:00+08:00","source":"BOOKING_SOURCE_PHONE"}"#
            try await client.executeSignedIn(uri: "/v1/appointments", method: .post, body: ByteBuffer(string: good)) { response in
                #expect(response.status == .created)
                let body = Self.json(response)
                #expect(body["doctorId"] as? String == "d0000000-0000-4000-8000-000000000001")
                #expect(body["startTime"] as? String == "2026-11-24T01:30:00Z")
                #expect(body["source"] as? String == "BOOKING_SOURCE_PHONE")
            }
            let bad = #"{"doctorId":"d0000000-0000-4000-8000-000000000001","source":"BOOKING_SOURCE_CARRIER_PIGEON"}"#
            try await client.executeSignedIn(uri: "/v1/appointments", method: .post, body: ByteBuffer(string: bad)) { response in
                #expect(response.status == .badRequest)
                #expect(Self.json(response)["code"] as? Int == 3)
                #expect(Self.field(response) == "source")
            }
        }
    }

    @Test func cancelWithoutAReasonIs400AndTheIdComesFromThePath() async throws {
        try await withGateway { client in
            try await client.executeSignedIn(uri: "/v1/appointments/a0000000-0000-4000-8000-000000000007/cancel", method: .post, body: ByteBuffer(string: "{}")) { response in
                #expect(response.status == .badRequest)
                #expect(Self.field(response) == "reason")
            }
            try await client.executeSignedIn(uri: "/v1/appointments/a0000000-0000-4000-8000-000000000007/cancel", method: .post,
                                     body: ByteBuffer(string: #"{"reason":"患者改期"}"#)) { response in
                #expect(response.status == .ok)
                #expect(Self.json(response)["id"] as? String == "a0000000-0000-4000-8000-000000000007")
                #expect(Self.json(response)["status"] as? String == "APPOINTMENT_STATUS_CANCELLED")
            }
            try await client.executeSignedIn(uri: "/v1/appointments/a0000000-0000-4000-8000-000000000007/cancel", method: .get) { response in
                #expect(response.status == .methodNotAllowed)
            }
        }
    }
}

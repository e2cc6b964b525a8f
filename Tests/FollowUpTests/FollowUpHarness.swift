import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import ClinicValues
import Foundation
@testable import FollowUp
import Logging
import Synchronization
import SwiftProtobuf

/// A real broker, a real follow-up service (4 worker threads) on a fresh schema, stand-ins for the publishers it
/// follows (staff, reception, scheduling: each its own schema, outbox, relay and Events/Replay on the real bus) and a
/// bus client. Follow-up can be stopped and started again (to test catching up). Everything it logs is kept.
final class FollowUpHarness: Sendable {
    let broker: Broker
    let endpoints: Broker.Endpoints
    private let followUp = Mutex<ServiceHost?>(nil)
    let publishers: [ServiceHost]
    let client: BusClient
    let databaseURL: String
    let publisherURLs: [String: String]
    let logs = LogCapture()
    let settings: ServiceSettings
    static let logger = Logger(label: "test.followup")
    static let clock = ClinicClock(timeZone: TimeZone(identifier: "Asia/Shanghai")!)

    /// Members the tests act as: a doctor (scheduling's doctor `doctorID`), two customer-service members, a consultant
    /// and a supervisor, all made known to follow-up through clinic-staff's events.
    let doctorMember = UUID()
    let doctorID = UUID()
    let serviceA = UUID()
    let serviceB = UUID()
    let consultant = UUID()
    let supervisor = UUID()

    /// Starts the broker, the stand-in publishers and follow-up (unless `startFollowUp` is false).
    init(startFollowUp: Bool = true) throws {
        (broker, endpoints) = try TestBroker.start(logger: Self.logger)
        let cluster = try TestDatabase.shared()
        databaseURL = try cluster.makeService(prefix: "followup").url
        var urls: [String: String] = [:]
        for name in ["staff", "reception", "scheduling"] { urls[name] = try cluster.makeService(prefix: name).url }
        publisherURLs = urls
        let base = ServiceSettings(bus: endpoints.requests, eventsIn: endpoints.eventsIn, eventsOut: endpoints.eventsOut,
                                   databaseURL: databaseURL, workers: 4, heartbeat: .milliseconds(100))
        settings = base
        let replays: [String: Method<Clinic_Bus_V1_ReplayRequest, Clinic_Bus_V1_ReplayResponse>] = [
            "staff": Clinic_Staff_V1_Events.replay, "reception": Clinic_Reception_V1_Events.replay,
            "scheduling": Clinic_Scheduling_V1_Events.replay,
        ]
        publishers = try ["staff", "reception", "scheduling"].map { name in
            var standIn = base
            standIn.databaseURL = urls[name]!
            let definition = ServiceDefinition(name: name, busService: "clinic.\(name).v1", migrations: [], replay: replays[name]) { _, _ in
                WorkerRoutes()
            }
            return try ServiceHost(definition.trusting(TestStaff.trust), settings: standIn, logger: Self.logger)
        }
        client = try BusClient(endpoint: endpoints.requests, logger: Self.logger)
        if startFollowUp { try start() }
        try member(doctorMember, "李医生", [.doctor], doctorID: doctorID)
        try member(serviceA, "客服甲", [.customerService])
        try member(serviceB, "客服乙", [.customerService])
        try member(consultant, "王咨询", [.consultant])
        try member(supervisor, "主管", [.supervisor])
        if startFollowUp { try waitForStaff() }
    }

    /// Blocks until follow-up knows the five members (events of different publishers arrive in no set order, and a
    /// plan made before the doctor is known goes to the clinical pool).
    func waitForStaff() throws {
        let db = try database()
        defer { db.close() }
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if try db.query("SELECT count(*)::int AS n FROM staff_members").first?.decode("n") == 5 { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Starts follow-up (again).
    func start(policy: FollowUpPolicy = FollowUpPolicy()) throws {
        let host = try ServiceHost(try FollowUpService.definition(policy: policy).trusting(TestStaff.trust), settings: settings,
                                   logger: logs.logger(label: "test.followup.service"))
        followUp.withLock { $0 = host }
    }

    /// Stops follow-up, leaving the bus and the publishers running.
    func stopFollowUp() {
        let host = followUp.withLock { host -> ServiceHost? in defer { host = nil }; return host }
        host?.stop()
    }

    /// Calls an rpc as member `member` holding `roles`.
    func call<Request, Response>(_ method: Method<Request, Response>, _ request: Request, as roles: [StaffRole], member: UUID,
                                 idempotencyKey: String = "") async throws -> Response {
        var caller = Clinic_Bus_V1_Caller()
        caller.system = "tests"
        return try await client.call(method, request, options: CallOptions(
            timeout: .seconds(20), caller: caller, idempotencyKey: idempotencyKey,
            token: await TestStaff.token(roles, memberID: member.lowercasedText)))
    }

    /// Calls an rpc as a system (the anonymous peer of a plain bus is one): a sender claiming messages.
    func callAsSystem<Request, Response>(_ method: Method<Request, Response>, _ request: Request) async throws -> Response {
        try await client.call(method, request, options: CallOptions(timeout: .seconds(20)))
    }

    /// The rpc's error as member `member` with `roles`, or nil when it succeeded.
    func failure<Request, Response>(_ method: Method<Request, Response>, _ request: Request, as roles: [StaffRole],
                                    member: UUID) async -> RPCError? {
        await rpcResult { try await call(method, request, as: roles, member: member) }.error
    }

    /// A direct connection to follow-up's schema.
    func database() throws -> Connection { try Connection(url: databaseURL, logger: Self.logger) }

    /// Publishes `event` as `publisher` would: through the stand-in's outbox, relay and replay.
    func publish(_ event: some SwiftProtobuf.Message, as publisher: String) throws {
        let db = try Connection(url: publisherURLs[publisher]!, logger: Self.logger)
        defer { db.close() }
        try EventOutbox(publisher: publisher).append(event, on: db)
    }

    /// Publishes clinic-staff's `StaffChanged` for a member.
    func member(_ id: UUID, _ name: String, _ roles: [StaffRole], doctorID: UUID? = nil, active: Bool = true, version: Int64 = 1) throws {
        var event = Clinic_Staff_V1_StaffChanged()
        event.member.id = id.lowercasedText
        event.member.name = name
        event.member.roles = roles
        event.member.doctorID = doctorID?.lowercasedText ?? ""
        event.member.active = active
        event.member.version = version
        try publish(event, as: "staff")
    }

    /// Publishes reception's `PatientRegistered`; the patient's id.
    @discardableResult
    func patient(_ name: String = "王芳", phone: String = "13812345678", consultant: String = "") throws -> UUID {
        let id = UUID()
        var event = Clinic_Reception_V1_PatientRegistered()
        event.patientID = id.lowercasedText
        event.name = name
        event.phone = phone
        event.consultant = consultant
        try publish(event, as: "reception")
        return id
    }

    /// Publishes reception's `TreatmentCompleted` for one visit; the visit's id.
    @discardableResult
    func treatment(_ patient: UUID, _ kinds: [Clinic_Reception_V1_TreatmentKind], at: Date, visitID: UUID = UUID()) throws -> UUID {
        var event = Clinic_Reception_V1_TreatmentCompleted()
        event.visitID = visitID.lowercasedText
        event.patientID = patient.lowercasedText
        event.patientName = "王芳"
        event.doctorID = doctorID.lowercasedText
        event.doctorName = "李医生"
        event.completedAt = Google_Protobuf_Timestamp(date: at)
        event.treatments = kinds.map { kind in
            var treatment = Clinic_Reception_V1_Treatment()
            treatment.kind = kind
            treatment.teeth = kind == .cleaning ? [] : [36]
            return treatment
        }
        try publish(event, as: "reception")
        return visitID
    }

    /// Tasks of a patient as stored, by due day.
    func tasks(of patient: UUID) throws -> [TaskRecord] {
        let db = try database()
        defer { db.close() }
        return try TaskStore.list(TaskFilter(patientID: patient), limit: 500, offset: 0, on: db)
    }

    /// Waits until the patient has `count` tasks (of `kind` when given); the tasks.
    func waitForTasks(of patient: UUID, count: Int, kind: String? = nil, status: String? = nil) async throws -> [TaskRecord] {
        var found: [TaskRecord] = []
        _ = try await eventually(timeout: .seconds(20)) {
            found = try tasks(of: patient).filter { (kind == nil || $0.kind == kind) && (status == nil || $0.status == status) }
            return found.count >= count
        }
        return found
    }

    /// Stops everything started.
    func stop() {
        client.close()
        stopFollowUp()
        publishers.forEach { $0.stop() }
        broker.stop()
    }
}

/// 10:00 clinic time on `date` (or `time`).
func clinicTime(_ date: String, _ time: String = "10:00") -> Date {
    FollowUpHarness.clock.instant(ClinicDate(iso: date)!, TimeOfDay(time)!)
}

/// A fresh idempotency key.
func newKey() -> String { UUID().uuidString }

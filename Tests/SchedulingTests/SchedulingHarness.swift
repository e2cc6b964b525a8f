import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import Logging
import Reception
@testable import Scheduling

typealias Scheduling = Clinic_Scheduling_V1_Scheduling

/// A real broker, real reception and scheduling services (2 worker threads each) on fresh schemas, and a bus client.
final class SchedulingHarness: Sendable {
    let broker: Broker
    let endpoints: Broker.Endpoints
    let reception: ServiceHost
    let scheduling: ServiceHost
    let client: BusClient
    let databaseURL: String
    let receptionURL: String
    static let logger = Logger(label: "test.scheduling", factory: { _ in SwiftLogNoOpLogHandler() })
    static let clock = ClinicClock(timeZone: ServiceSettings.defaultTimeZone)

    /// Starts everything; the no-show job sweeps once at start, then rarely (tests run sweeps themselves).
    init(noShow: NoShowPolicy = NoShowPolicy(graceMinutes: 15, intervalSeconds: 3600)) throws {
        (broker, endpoints) = try TestBroker.start(logger: Self.logger)
        let cluster = try TestDatabase.shared()
        receptionURL = try cluster.makeService(prefix: "reception").url
        databaseURL = try cluster.makeService(prefix: "scheduling").url
        let bus = endpoints
        let settings = { (url: String) in
            ServiceSettings(bus: bus.requests, eventsIn: bus.eventsIn, eventsOut: bus.eventsOut,
                            databaseURL: url, workers: 2, heartbeat: .milliseconds(100))
        }
        reception = try ServiceHost(try ReceptionService.definition().trusting(TestStaff.trust), settings: settings(receptionURL), logger: Self.logger)
        scheduling = try ServiceHost(try SchedulingService.definition(noShow: noShow).trusting(TestStaff.trust), settings: settings(databaseURL), logger: Self.logger)
        client = try BusClient(endpoint: endpoints.requests, logger: Self.logger)
    }

    /// Calls an rpc as a member of the desk staff.
    func call<Request, Response>(_ method: Method<Request, Response>, _ request: Request,
                                 idempotencyKey: String = "") async throws -> Response {
        try await client.call(method, request, options: await .staff(timeout: .seconds(10), idempotencyKey: idempotencyKey))
    }

    /// The rpc's error, or nil when it succeeded.
    func failure<Request, Response>(_ method: Method<Request, Response>, _ request: Request) async -> RPCError? {
        await rpcResult { try await call(method, request) }.error
    }

    /// A direct connection to scheduling's schema, for checking what was stored.
    func database() throws -> Connection { try Connection(url: databaseURL, logger: Self.logger) }

    /// A doctor working every day 08:00–20:00 with a lunch break 12:00–13:00, or around the clock (00:00–23:59, no
    /// break) when `aroundTheClock`, for tests that must find them on duty whatever the hour.
    func makeDoctor(name: String = "王医生", specialty: String = "general", aroundTheClock: Bool = false) async throws -> Clinic_Scheduling_V1_Doctor {
        var create = Clinic_Scheduling_V1_CreateDoctorRequest()
        create.name = name
        create.specialty = specialty
        let doctor = try await call(Scheduling.createDoctor, create)
        var roster = Clinic_Scheduling_V1_SetWeeklyRosterRequest()
        roster.doctorID = doctor.id
        roster.days = (1...7).map { weekday in
            var day = Clinic_Scheduling_V1_RosterDay()
            day.weekday = Int32(weekday)
            day.hours = aroundTheClock ? .init(start: "00:00", end: "23:59") : .init(start: "08:00", end: "20:00")
            day.breaks = aroundTheClock ? [] : [.init(start: "12:00", end: "13:00")]
            return day
        }
        _ = try await call(Scheduling.setWeeklyRoster, roster)
        return doctor
    }

    func makeChair(name: String = "1号椅") async throws -> Clinic_Scheduling_V1_Chair {
        var create = Clinic_Scheduling_V1_CreateChairRequest()
        create.name = name
        create.room = "诊室 1"
        return try await call(Scheduling.createChair, create)
    }

    /// A patient registered at reception.
    func registerPatient(name: String = "张三") async throws -> Clinic_Reception_V1_Patient {
        var request = Clinic_Reception_V1_RegisterPatientRequest()
        request.name = name
        request.birthDate = "1990-05-01"
        request.phone = "13\(Int.random(in: 3...9))\(String(format: "%08d", Int.random(in: 0..<100_000_000)))"
        return try await call(Clinic_Reception_V1_Reception.registerPatient, request)
    }

    func stop() {
        client.close()
        scheduling.stop()
        reception.stop()
        broker.stop()
    }
}

/// A clinic date some days ahead, and local times on it.
struct Day {
    let date: ClinicDate

    /// `days` from today in the clinic.
    init(inDays days: Int) { date = SchedulingHarness.clock.today().adding(days: days) }

    /// The instant of `HH:MM` on this date.
    func at(_ hour: Int, _ minute: Int = 0) -> Date { SchedulingHarness.clock.instant(date, TimeOfDay(hour: hour, minute: minute)) }
}

/// A booking request for a prospect (or a patient) at `start`.
func bookingRequest(doctor: String, chair: String = "", start: Date, minutes: Int32 = 30, patientID: String = "") -> Clinic_Scheduling_V1_BookAppointmentRequest {
    var request = Clinic_Scheduling_V1_BookAppointmentRequest()
    request.doctorID = doctor
    request.chairID = chair
    request.startTime = .init(date: start)
    request.durationMinutes = minutes
    request.procedure = "洗牙"
    request.source = .phone
    if patientID.isEmpty {
        request.prospect.name = "李雷"
        request.prospect.phone = "13912345678"
        request.prospect.age = 30
    } else {
        request.patientID = patientID
    }
    return request
}

extension Clinic_Scheduling_V1_TimeOfDayRange {
    init(start: String, end: String) {
        self.init()
        self.start = start
        self.end = end
    }
}

/// Scheduling's published events so far (stamped by the relay), in order.
func publishedEvents(_ harness: SchedulingHarness, count: Int) async throws -> [Clinic_Bus_V1_Event] {
    var events: [Clinic_Bus_V1_Event] = []
    _ = try await eventually {
        var replay = Clinic_Bus_V1_ReplayRequest()
        replay.limit = 1000
        events = try await harness.call(Clinic_Scheduling_V1_Events.replay, replay).events
        return events.count >= count
    }
    return events
}

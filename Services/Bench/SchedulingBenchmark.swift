import ArgumentParser
import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import Foundation
import Logging
import SwiftProtobuf

/// `clinic-bench scheduling`: slot search over a large appointment book, and booking throughput, over the bus.
///
/// Starts a private PostgreSQL cluster (or uses `--database-url`), a broker in this process and the real
/// `clinic-scheduling` executable from the same build folder, seeds the scheduling schema in bulk with SQL, then
/// times FindSlots (by doctor and by specialty) and concurrent BookAppointment calls on distinct free slots.
struct SchedulingBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduling",
        abstract: "FindSlots over a seeded book (default 200 doctors, 1,000,000 appointments) and booking throughput.")

    @Option(help: "Doctors to seed (each gets its own chair).")
    var doctors: Int = 200

    @Option(help: "Appointments to seed, half in the past, half ahead (10 per doctor per working day).")
    var appointments: Int = 1_000_000

    @Option(help: "FindSlots calls per case (by doctor, by specialty).")
    var calls: Int = 3000

    @Option(help: "Slot searches in flight at once.")
    var searchInFlight: Int = 1

    @Option(help: "Bookings to make in the booking case.")
    var bookings: Int = 4000

    @Option(help: "Bookings in flight at once.")
    var bookingInFlight: Int = 32

    @Option(help: "Worker threads of the scheduling service.")
    var workers: Int = 4

    @Option(help: "Admin URL of an existing PostgreSQL server (default: a private throwaway cluster under /tmp).")
    var databaseURL: String?

    @Option(help: ArgumentHelp(
        "Service URL of a schema an earlier run seeded (kept with --keep): skips provisioning and seeding.",
        discussion: "The book must have been seeded with the same --doctors and --appointments."))
    var seededURL: String?

    @Flag(help: "Keep the database after the run and print the URL to pass as --seeded-url next time.")
    var keep = false

    @Option(help: "Where to write the JSON results.")
    var output: String = "bench-results/scheduling.json"

    static let specialties = ["general", "orthodontics", "implants", "pediatric", "endodontics",
                              "periodontics", "prosthodontics", "oral-surgery", "cosmetic", "hygiene"]
    typealias Scheduling = Clinic_Scheduling_V1_Scheduling

    func validate() throws {
        guard doctors >= 1, appointments >= 0, calls >= 1, bookings >= 1 else { throw ValidationError("counts must be positive") }
        guard appointments % (doctors * SeedPlan.perDoctorDay) == 0 else {
            throw ValidationError("--appointments must be a multiple of \(SeedPlan.perDoctorDay) × --doctors")
        }
        guard (1...256).contains(searchInFlight), (1...256).contains(bookingInFlight) else {
            throw ValidationError("in-flight counts must be between 1 and 256")
        }
    }

    func run() async throws {
        var logger = Logger(label: "clinic-bench")
        logger.logLevel = .warning
        let database = try BenchDatabase(adminURL: databaseURL, seededURL: seededURL, keep: keep, logger: logger)
        defer { database.stop() }

        let broker = Broker(configuration: BrokerConfiguration(endpoint: "tcp://127.0.0.1:*", eventsIn: "tcp://127.0.0.1:*",
                                                               eventsOut: "tcp://127.0.0.1:*"), logger: logger)
        try broker.start()
        defer { broker.stop() }
        guard let endpoints = broker.endpoints else { throw ValidationError("broker did not bind") }
        let service = try ChildService(name: "clinic-scheduling", arguments: [
            "--bus", endpoints.requests, "--events-in", endpoints.eventsIn, "--events-out", endpoints.eventsOut,
            "--database-url", database.serviceURL, "--workers", "\(workers)", "--log-level", "error"])
        defer { service.stop() }
        let client = try BusClient(endpoint: endpoints.requests, logger: logger, defaultTimeout: .seconds(10))
        defer { client.close() }
        let waitUntil = ContinuousClock.now + .seconds(60)
        while await !client.serviceAvailable(Scheduling.busService, timeout: .seconds(1)) {
            guard service.isRunning else { throw ValidationError("clinic-scheduling exited at start (its log is above)") }
            guard ContinuousClock.now < waitUntil else { throw ValidationError("clinic-scheduling did not register with the broker") }
        }
        say("clinic-scheduling is up (\(workers) workers) on a private broker")

        let plan = SeedPlan(doctors: doctors, appointments: appointments)
        let seeded: SeedPlan.Outcome
        if database.reused {
            seeded = try plan.existing(url: database.serviceURL, logger: logger)
            say("  reusing the book seeded earlier: \(seeded.doctorIDs.count) doctors")
        } else {
            say("seeding \(doctors) doctors in \(Self.specialties.count) specialties, \(doctors) chairs, rosters and \(appointments) appointments")
            seeded = try plan.seed(url: database.serviceURL, specialties: Self.specialties, logger: logger)
            say(String(format: "  seeded in %.1f s (%.0f appointments/s), %d working days per doctor",
                         seeded.seconds, Double(appointments) / max(seeded.seconds, 0.001), plan.workingDays))
        }

        let doctorIDs = seeded.doctorIDs
        let horizon = Date().addingTimeInterval(Double(plan.workingDays / 2) * 86_400)
        let searchFrom: @Sendable () -> Google_Protobuf_Timestamp = {
            Google_Protobuf_Timestamp(date: Date().addingTimeInterval(Double.random(in: 0...max(0, horizon.timeIntervalSinceNow))))
        }
        _ = try await client.call(Scheduling.findSlots, Self.byDoctor(doctorIDs[0], from: searchFrom()))  // warm-up

        say("FindSlots by doctor (\(calls) calls, \(searchInFlight) in flight, 5 slots of 30 min from a random time ahead)")
        let byDoctor = try await LatencyRun.measure(calls: calls, inFlight: searchInFlight) { _ in
            let reply = try await client.call(Scheduling.findSlots, Self.byDoctor(doctorIDs.randomElement() ?? "", from: searchFrom()))
            guard !reply.slots.isEmpty else { throw ValidationError("FindSlots by doctor found no slot") }
        }
        say("  " + byDoctor.line(unit: "calls"))

        say("FindSlots by specialty (\(calls) calls, \(searchInFlight) in flight, ~\(doctors / Self.specialties.count) doctors each)")
        let bySpecialty = try await LatencyRun.measure(calls: calls, inFlight: searchInFlight) { _ in
            var request = Clinic_Scheduling_V1_FindSlotsRequest()
            request.specialty = Self.specialties.randomElement() ?? "general"
            request.durationMinutes = 30
            request.count = 5
            request.fromTime = searchFrom()
            let reply = try await client.call(Scheduling.findSlots, request)
            guard !reply.slots.isEmpty else { throw ValidationError("FindSlots by specialty found no slot") }
        }
        say("  " + bySpecialty.line(unit: "calls"))

        let free = try plan.freeSlots(url: database.serviceURL, limit: bookings, logger: logger)
        guard free.count == bookings else { throw ValidationError("only \(free.count) free slots to book; lower --bookings") }
        say("BookAppointment on distinct free slots (\(bookings) bookings, \(bookingInFlight) in flight)")
        let booking = try await LatencyRun.measure(calls: bookings, inFlight: bookingInFlight) { index in
            let slot = free[index]
            var request = Clinic_Scheduling_V1_BookAppointmentRequest()
            request.prospect.name = "压测\(index)"
            request.prospect.phone = "159\(String(format: "%08d", index))"
            request.prospect.age = 30
            request.doctorID = slot.doctorID
            request.chairID = slot.chairID
            request.startTime = Google_Protobuf_Timestamp(date: slot.start)
            request.durationMinutes = 30
            request.source = .phone
            _ = try await client.call(Scheduling.bookAppointment, request)
        }
        say("  " + booking.line(unit: "bookings"))

        let report = SchedulingBenchReport(
            doctors: doctors, specialties: Self.specialties.count, appointmentsSeeded: appointments,
            seedSeconds: seeded.seconds, serviceWorkers: workers, findSlotsByDoctor: byDoctor,
            findSlotsBySpecialty: bySpecialty, booking: booking,
            findSlotsP99UnderTenMilliseconds: max(byDoctor.p99Milliseconds, bySpecialty.p99Milliseconds) < 10)
        try writeReport(report, to: output)
    }

    static func byDoctor(_ doctorID: String, from: Google_Protobuf_Timestamp) -> Clinic_Scheduling_V1_FindSlotsRequest {
        var request = Clinic_Scheduling_V1_FindSlotsRequest()
        request.doctorID = doctorID
        request.durationMinutes = 30
        request.count = 5
        request.fromTime = from
        return request
    }
}

/// Prints a progress line at once, even when standard output is a pipe or a file (seeding takes a while).
private func say(_ line: String) {
    print(line)
    fflush(nil)
}

/// What `clinic-bench scheduling` writes to its JSON file.
struct SchedulingBenchReport: Codable {
    var doctors: Int
    var specialties: Int
    var appointmentsSeeded: Int
    var seedSeconds: Double
    var serviceWorkers: Int
    var findSlotsByDoctor: LatencyRun
    var findSlotsBySpecialty: LatencyRun
    var booking: LatencyRun
    /// The target: FindSlots p99 below 10 ms in both cases.
    var findSlotsP99UnderTenMilliseconds: Bool
}

/// Latency percentiles and throughput of a run of calls made with a fixed number in flight.
struct LatencyRun: Codable {
    var calls: Int
    var inFlight: Int
    var seconds: Double
    var callsPerSecond: Double
    var p50Milliseconds: Double
    var p99Milliseconds: Double
    var maxMilliseconds: Double

    /// Runs `call(index)` for 0..<calls with `inFlight` running at a time; any failure stops the run.
    static func measure(calls: Int, inFlight: Int, _ call: @escaping @Sendable (Int) async throws -> Void) async throws -> LatencyRun {
        let clock = ContinuousClock()
        let started = clock.now
        let latencies = try await withThrowingTaskGroup(of: [Duration].self) { group in
            for lane in 0..<inFlight {
                group.addTask {
                    var mine: [Duration] = []
                    var index = lane
                    while index < calls {
                        let before = clock.now
                        try await call(index)
                        mine.append(clock.now - before)
                        index += inFlight
                    }
                    return mine
                }
            }
            return try await group.reduce(into: [Duration]()) { $0 += $1 }
        }
        let elapsed = clock.now - started
        let milliseconds = latencies.map { Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15 }.sorted()
        func percentile(_ p: Double) -> Double {
            milliseconds.isEmpty ? 0 : milliseconds[min(milliseconds.count - 1, Int(Double(milliseconds.count) * p))]
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return LatencyRun(calls: milliseconds.count, inFlight: inFlight, seconds: seconds,
                          callsPerSecond: seconds > 0 ? Double(milliseconds.count) / seconds : 0,
                          p50Milliseconds: percentile(0.50), p99Milliseconds: percentile(0.99),
                          maxMilliseconds: milliseconds.last ?? 0)
    }

    func line(unit: String) -> String {
        String(format: "%8.0f %@/s   p50 %6.2f ms   p99 %6.2f ms   max %7.2f ms   (%d in %.1f s)",
               callsPerSecond, unit, p50Milliseconds, p99Milliseconds, maxMilliseconds, calls, seconds)
    }
}

/// The seeded appointment book: each doctor has a chair of their own and a Mon–Sat 09:00–17:30 roster with a
/// 12:00–13:30 break (fourteen 30-minute slots a day), ten of them booked per working day, the four free ones
/// rotating from day to day. Half the working days lie before today (completed), half from today on (booked).
struct SeedPlan {
    static let perDoctorDay = 10
    let doctors: Int
    let appointments: Int

    var workingDays: Int { appointments / (doctors * Self.perDoctorDay) }

    /// The seeded doctors' ids and how long seeding took.
    struct Outcome {
        let doctorIDs: [String]
        let seconds: Double
    }

    /// The working days of the book (Mon–Sat, clinic time), numbered from 0: half before today, half from today.
    private var daysSQL: String {
        let past = workingDays / 2
        let ahead = workingDays - past
        return """
            SELECT day, (row_number() OVER (ORDER BY day))::int - 1 AS n FROM (
                (SELECT d::date AS day FROM generate_series(current_date - \(past * 2 + 14), current_date - 1, interval '1 day') AS d
                 WHERE extract(isodow FROM d) < 7 ORDER BY d DESC LIMIT \(past))
                UNION ALL
                (SELECT d::date FROM generate_series(current_date, current_date + \(ahead * 2 + 14), interval '1 day') AS d
                 WHERE extract(isodow FROM d) < 7 ORDER BY d LIMIT \(ahead))
            ) AS working
            """
    }

    /// Slot k of a working day (0–13) as a clinic-local time: 09:00–11:30, then 13:30–17:00.
    private static let slotStartSQL = "CASE WHEN k < 6 THEN time '09:00' + k * interval '30 minutes' ELSE time '13:30' + (k - 6) * interval '30 minutes' END"

    /// Bulk-inserts doctors, chairs, rosters and the appointments with `generate_series`, doctor by doctor in batches.
    func seed(url: String, specialties: [String], logger: Logger) throws -> Outcome {
        let db = try Connection(url: url, logger: logger)
        defer { db.close() }
        let started = ContinuousClock.now
        // The names are this file's constants (plain ASCII words), so they can be written into the script.
        let list = "{" + specialties.joined(separator: ",") + "}"
        try db.execute(script: """
            CREATE TEMP TABLE bench_doctors AS
            SELECT n, gen_random_uuid() AS doctor_id, gen_random_uuid() AS chair_id FROM generate_series(0, \(doctors - 1)) AS n;
            INSERT INTO doctors (id, name, specialty, gender, title)
            SELECT doctor_id, '压测医生' || n, ('\(list)'::text[])[1 + n % \(specialties.count)], 1 + n % 2, '主治医师' FROM bench_doctors;
            INSERT INTO chairs (id, name, room) SELECT chair_id, '压测椅' || n, '诊室 ' || n FROM bench_doctors;
            INSERT INTO roster_days (doctor_id, weekday, starts_at, ends_at, breaks)
            SELECT doctor_id, weekday, time '09:00', time '17:30', '{12:00-13:30}' FROM bench_doctors, generate_series(1, 6) AS weekday;
            CREATE TEMP TABLE bench_days AS \(daysSQL);
            """)
        let batch = 20
        for first in stride(from: 0, to: doctors, by: batch) {
            _ = try db.execute("""
                INSERT INTO appointments (prospect_name, doctor_id, chair_id, start_time, end_time, duration_minutes,
                                          procedure, source, status, booked_by)
                SELECT '压测', d.doctor_id, d.chair_id, s.start_time, s.start_time + interval '30 minutes', 30, '检查', 1,
                       CASE WHEN s.start_time < now() THEN 'completed' ELSE 'booked' END, 'clinic-bench'
                FROM bench_doctors d
                CROSS JOIN bench_days w
                CROSS JOIN generate_series(0, 13) AS k
                CROSS JOIN LATERAL (SELECT (w.day + \(raw: Self.slotStartSQL)) AT TIME ZONE 'Asia/Shanghai' AS start_time) s
                WHERE d.n >= \(first) AND d.n < \(first + batch) AND (k + d.n + w.n) % 14 < \(Self.perDoctorDay)
                """)
        }
        // A live book is vacuumed by autovacuum as it goes; a bulk load is not yet. VACUUM sets the visibility map
        // that index-only scans rely on, as a book in steady state has it (one statement each: not in a transaction).
        for table in ["doctors", "chairs", "roster_days", "appointments"] {
            try db.execute(script: "VACUUM ANALYZE \(table)")
        }
        let ids = try db.query("SELECT doctor_id::text AS id FROM bench_doctors ORDER BY n").map { try $0.decode("id", as: String.self) }
        let elapsed = ContinuousClock.now - started
        return Outcome(doctorIDs: ids, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// The doctors of a book an earlier run seeded.
    func existing(url: String, logger: Logger) throws -> Outcome {
        let db = try Connection(url: url, logger: logger)
        defer { db.close() }
        let ids = try db.query("""
            SELECT id::text AS id FROM doctors WHERE name LIKE '压测医生%' ORDER BY substr(name, 5)::int
            """).map { try $0.decode("id", as: String.self) }
        guard ids.count == doctors else {
            throw ValidationError("the seeded book has \(ids.count) doctors, not \(doctors); pass the same --doctors")
        }
        return Outcome(doctorIDs: ids, seconds: 0)
    }

    /// A free slot of the seeded book: a doctor, their chair and a start.
    struct FreeSlot: Sendable {
        let doctorID: String
        let chairID: String
        let start: Date
    }

    /// Up to `limit` free 30-minute slots from tomorrow on, spread over the doctors (the four a day the seed left free).
    func freeSlots(url: String, limit: Int, logger: Logger) throws -> [FreeSlot] {
        let db = try Connection(url: url, logger: logger)
        defer { db.close() }
        try db.execute(script: "CREATE TEMP TABLE bench_days AS \(daysSQL)")
        return try db.query("""
            SELECT d.id::text AS doctor_id, c.id::text AS chair_id, s.start_time
            FROM (SELECT id, row_number() OVER (ORDER BY name) AS o, name FROM doctors WHERE name LIKE '压测医生%') d
            JOIN chairs c ON c.name = '压测椅' || substr(d.name, 5)
            CROSS JOIN bench_days w
            CROSS JOIN generate_series(0, 13) AS k
            CROSS JOIN LATERAL (SELECT (w.day + \(raw: Self.slotStartSQL)) AT TIME ZONE 'Asia/Shanghai' AS start_time) s
            WHERE w.day > current_date AND (k + substr(d.name, 5)::int + w.n) % 14 >= \(Self.perDoctorDay)
              AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.doctor_id = d.id AND a.start_time = s.start_time
                                                           AND a.status NOT IN ('cancelled', 'rescheduled'))
            ORDER BY w.day, k, d.o
            LIMIT \(limit)
            """).map { FreeSlot(doctorID: try $0.decode("doctor_id"), chairID: try $0.decode("chair_id"), start: try $0.decode("start_time")) }
    }
}

/// The benchmark's database: a private throwaway cluster, or a fresh role and schema on a given server.
struct BenchDatabase {
    let serviceURL: String
    private let cluster: LocalCluster?
    private let directory: URL?

    /// Whether the schema was seeded by an earlier run.
    let reused: Bool
    private let keep: Bool

    init(adminURL: String?, seededURL: String?, keep: Bool, logger: Logger) throws {
        self.keep = keep
        if let seededURL {
            cluster = nil
            directory = nil
            serviceURL = seededURL
            reused = true
            return
        }
        reused = false
        let role = "bench_scheduling_\(UUID().uuidString.prefix(8).lowercased())"
        if let adminURL {
            cluster = nil
            directory = nil
            serviceURL = try Self.provision(role, adminURL: adminURL, logger: logger)
            return
        }
        // World-traversable: as root, the server runs as `postgres`.
        let folder = URL(fileURLWithPath: "/tmp/clinic-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let local = LocalCluster(dataDirectory: folder.appendingPathComponent("pg"), port: Int.random(in: 40_000...49_000),
                                 durable: true, logger: logger)
        try local.start()
        cluster = local
        directory = folder
        serviceURL = try Self.provision(role, adminURL: try local.adminURL, logger: logger)
    }

    private static func provision(_ role: String, adminURL: String, logger: Logger) throws -> String {
        let urls = try Provisioner.provision(services: [role], adminURL: adminURL, passwords: [role: UUID().uuidString], logger: logger)
        guard let url = urls[role] else { throw ValidationError("could not provision the benchmark's role") }
        return url
    }

    /// Stops the private cluster and deletes its files, unless asked to keep them.
    func stop() {
        guard !keep else {
            if !reused {
                let quoted = "'" + serviceURL.replacingOccurrences(of: "'", with: "'\\''") + "'"
                print("kept the seeded book; next time pass --seeded-url \(quoted)")
                if let directory { print("(its cluster keeps running from \(directory.path)/pg; stop it with pg_ctl -D … stop)") }
            }
            return
        }
        try? cluster?.stop(mode: .immediate)
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }
}

/// A service executable from this build folder, run as a child process until `stop()` (SIGTERM, then wait).
struct ChildService {
    private let children = ProcessSupervisor()
    private let name: String

    init(name: String, arguments: [String]) throws {
        self.name = name
        do {
            try children.launch(name, arguments)
        } catch let error as ProcessSupervisor.LaunchError {
            throw ValidationError("\(error.description) (swift build -c release --product \(name))")
        }
    }

    /// Whether the process still runs.
    var isRunning: Bool { children.firstExited == nil }

    /// SIGTERM, up to 10 s for a graceful exit, then SIGKILL.
    func stop() { children.stopAll() }
}

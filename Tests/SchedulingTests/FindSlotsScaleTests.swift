import ClinicBus
import ClinicProto
import ClinicStore
import Foundation
import Testing
@testable import Scheduling

/// FindSlots against a large book: 200 doctors and `CLINIC_SCHEDULING_SCALE_APPOINTMENTS` appointments
/// (1000000 is the target scale; filling it takes minutes, so the suite runs only when the variable is set);
/// p99 must stay under 10 ms.
@Suite("Finding slots at scale", .serialized,
       .enabled(if: ProcessInfo.processInfo.environment["CLINIC_SCHEDULING_SCALE_APPOINTMENTS"] != nil))
struct FindSlotsScaleTests {
    static let doctors = 200
    static let appointments = Int(ProcessInfo.processInfo.environment["CLINIC_SCHEDULING_SCALE_APPOINTMENTS"] ?? "") ?? 1_000_000

    /// Fills the book: every doctor works 08:00–20:00 daily; their days are booked in 30-minute appointments
    /// from the past into the future, odd doctors fully, even ones with about one slot in ten left free.
    func fill(_ db: Connection) throws {
        let perDoctor = Self.appointments / Self.doctors
        let daysBack = perDoctor / 24 / 2
        try db.execute("""
            INSERT INTO doctors (name, specialty)
            SELECT 'Doctor ' || n, 'spec' || (n % 10) FROM generate_series(1, \(Self.doctors)) AS n
            """)
        try db.execute("""
            INSERT INTO roster_days (doctor_id, weekday, starts_at, ends_at, breaks)
            SELECT id, weekday, '08:00', '20:00', '{}' FROM doctors, generate_series(1, 7) AS weekday
            """)
        try db.execute("""
            INSERT INTO appointments (prospect_name, doctor_id, start_time, end_time, duration_minutes, status)
            SELECT 'x', d.id, s.t, s.t + interval '30 min', 30, 'booked'
            FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM doctors) AS d
            CROSS JOIN generate_series(0, \(perDoctor - 1)) AS k
            CROSS JOIN LATERAL (
                SELECT (date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') + make_interval(days => (k / 24)::int - \(Int32(daysBack)))
                        + interval '8 hours' + make_interval(mins => (k % 24)::int * 30)) AT TIME ZONE 'Asia/Shanghai' AS t
            ) AS s
            WHERE d.n % 2 = 1 OR (k * 7919 + d.n) % 10 <> 0
            """)
        try db.execute(script: "ANALYZE appointments; ANALYZE doctors; ANALYZE roster_days")
    }

    @Test func findSlotsStaysFastWithAFullBook() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let db = try harness.database()
        defer { db.close() }
        try fill(db)
        let total = try db.query("SELECT count(*) AS n FROM appointments").first?.decode("n", as: Int.self) ?? 0
        #expect(total >= Self.appointments * 9 / 10)
        let ids = try db.query("SELECT id FROM doctors ORDER BY name").map { try $0.decode("id", as: UUID.self).uuidString.lowercased() }

        var timings: [Duration] = []
        var fullyBookedCount = 0
        for index in 0..<300 {
            var request = Clinic_Scheduling_V1_FindSlotsRequest()
            if index % 4 == 3 {
                request.specialty = "spec\(index % 10)"
            } else {
                request.doctorID = ids[index % ids.count]
            }
            request.fromTime = .init(date: Date().addingTimeInterval(Double(index % 30) * 86_400))
            request.count = 5
            let started = ContinuousClock.now
            let found = try await harness.call(Scheduling.findSlots, request).slots
            timings.append(ContinuousClock.now - started)
            if found.isEmpty { fullyBookedCount += 1 }
            #expect(found.map(\.startTime.date) == found.map(\.startTime.date).sorted())
        }
        // Fully booked doctors search the whole 60-day horizon and find nothing: the worst case is measured too.
        #expect(fullyBookedCount > 0)
        timings.sort()
        let p50 = timings[timings.count / 2]
        let p99 = timings[timings.count * 99 / 100]
        print("FindSlots over the bus with \(total) appointments: p50 \(p50), p99 \(p99), max \(timings.last ?? .zero)")
        #expect(p99 < .milliseconds(10))
    }
}

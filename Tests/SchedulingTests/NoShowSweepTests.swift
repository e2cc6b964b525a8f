import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import Testing
@testable import Scheduling

@Suite("No-show job", .serialized)
struct NoShowSweepTests {
    /// Writes `count` past appointments straight into the table (the API refuses past starts), 30 minutes apart.
    func insertPast(_ count: Int, doctor: String, minutesAgo: Int, status: String = "booked", on db: Connection) throws {
        try db.execute("""
            INSERT INTO appointments (prospect_name, prospect_phone, doctor_id, start_time, end_time, duration_minutes, status)
            SELECT '过去', '13912345678', \(doctor)::uuid, now() - make_interval(mins => (\(Int32(minutesAgo)) + k * 30)::int),
                   now() - make_interval(mins => (\(Int32(minutesAgo)) + k * 30 - 30)::int), 30, \(status)
            FROM generate_series(0, \(count - 1)) AS k
            """)
    }

    @Test func twoSweepersRacingMarkAndPublishEachNoShowOnce() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        let other = try await harness.makeDoctor(name: "李医生")
        let setup = try harness.database()
        defer { setup.close() }
        try insertPast(450, doctor: doctor.id, minutesAgo: 20, on: setup)
        try insertPast(1, doctor: other.id, minutesAgo: 120, status: "confirmed", on: setup)
        try insertPast(1, doctor: other.id, minutesAgo: 60, status: "arrived", on: setup)
        // Started 5 minutes ago: still inside the 15 minutes' grace.
        try setup.execute("""
            INSERT INTO appointments (prospect_name, doctor_id, start_time, end_time, duration_minutes)
            VALUES ('刚到', \(other.id)::uuid, now() - interval '5 min', now() + interval '25 min', 30)
            """)

        let url = harness.databaseURL
        let clock = SchedulingHarness.clock
        let marked = try await withThrowingTaskGroup(of: [UUID].self) { group in
            for _ in 0..<2 {
                group.addTask {
                    try await onThread {
                        let db = try Connection(url: url, logger: SchedulingHarness.logger)
                        defer { db.close() }
                        return try NoShowSweep.run(graceMinutes: 15, clock: clock, logger: SchedulingHarness.logger, on: db)
                    }
                }
            }
            return try await group.reduce(into: [UUID]()) { $0 += $1 }
        }
        #expect(marked.count == 451)
        #expect(Set(marked).count == 451)
        let counts = try setup.query("SELECT status, count(*) AS n FROM appointments GROUP BY status ORDER BY status")
            .map { "\(try $0.decode("status", as: String.self))=\(try $0.decode("n", as: Int.self))" }
        #expect(counts == ["arrived=1", "booked=1", "no_show=451"])
        let missed = try setup.query("SELECT payload FROM outbox WHERE type = 'clinic.scheduling.v1.AppointmentMissed'")
            .map { try Clinic_Scheduling_V1_AppointmentMissed(serializedBytes: try $0.decode("payload", as: [UInt8].self)).appointment }
        #expect(missed.count == 451)
        #expect(Set(missed.map(\.id)).count == 451)
        #expect(missed.allSatisfy { $0.status == .noShow })

        // A later sweep finds nothing more.
        #expect(try NoShowSweep.run(graceMinutes: 15, clock: clock, logger: SchedulingHarness.logger, on: setup).isEmpty)
    }

    @Test func theHostRunsTheJobOnItsInterval() async throws {
        let harness = try SchedulingHarness(noShow: NoShowPolicy(graceMinutes: 15, intervalSeconds: 1))
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        let setup = try harness.database()
        defer { setup.close() }
        try insertPast(3, doctor: doctor.id, minutesAgo: 16, on: setup)
        #expect(try await eventually {
            try setup.query("SELECT count(*) AS n FROM appointments WHERE status = 'no_show'").first?.decode("n", as: Int.self) == 3
        })
        let events = try await publishedEvents(harness, count: 3)
        #expect(events.filter { $0.header.type == "clinic.scheduling.v1.AppointmentMissed" }.count == 3)
    }
}

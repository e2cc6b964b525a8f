import ClinicService
import ClinicStore
import Foundation

/// What a slot search needs to know besides the book itself: the active doctors (by name, then id), their weekly
/// rosters, and their overrides and leave from yesterday on.
struct RosterSnapshot {
    var doctors: [DoctorRecord] = []
    var weekly: [UUID: WeeklyRoster] = [:]
    var overrides: [UUID: [ClinicDate: DayPlan]] = [:]
    var leave: [UUID: [TimeSpan]] = [:]

    /// Active doctors of `specialty` (case-insensitive), by name then id.
    func doctors(specialty: String) -> [DoctorRecord] {
        let wanted = specialty.lowercased()
        return doctors.filter { $0.specialty.lowercased() == wanted }
    }

    /// The active doctor with `id`, if any.
    func doctor(_ id: UUID) -> DoctorRecord? { doctors.first { $0.id == id } }
}

/// One worker's copy of the `RosterSnapshot`, reloaded only when the database's roster generation has moved.
///
/// Every change to doctors, rosters, overrides or leave moves the generation in its own transaction (migration
/// 0006), and the generation is read before the tables, so a copy is never older than the generation it is kept
/// under: a search costs one tiny query for all of this instead of four, each planned afresh.
final class RosterDirectory {
    private var generation: Int64?
    private var snapshot = RosterSnapshot()

    /// The snapshot as of now, reloading it first if anything changed since it was read.
    func current(clock: ClinicClock, on db: Connection) throws -> RosterSnapshot {
        let latest = try db.query("SELECT value FROM roster_generation").first?.decode("value", as: Int64.self)
        if latest == nil || latest != generation {
            snapshot = try Self.load(clock: clock, on: db)
            generation = latest
        }
        return snapshot
    }

    private static func load(clock: ClinicClock, on db: Connection) throws -> RosterSnapshot {
        var snapshot = RosterSnapshot()
        snapshot.doctors = try DoctorStore.doctors(specialty: nil, includeInactive: false, on: db)
        let ids = snapshot.doctors.map(\.id)
        guard !ids.isEmpty else { return snapshot }
        snapshot.weekly = try RosterStore.weekly(of: ids, on: db)
        let yesterday = clock.today().adding(days: -1)
        for override in try RosterStore.overrides(of: ids, from: yesterday, to: nil, on: db) {
            snapshot.overrides[override.doctorID, default: [:]][override.date] = override.plan
        }
        let ahead = TimeSpan(start: clock.startOfDay(yesterday), end: .distantFuture)
        for absence in try RosterStore.leave(of: ids, overlapping: ahead, on: db) {
            snapshot.leave[absence.doctorID, default: []].append(absence.span)
        }
        return snapshot
    }
}

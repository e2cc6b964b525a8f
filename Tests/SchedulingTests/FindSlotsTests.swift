import ClinicBus
import ClinicProto
import ClinicStore
import Foundation
import Testing
@testable import Scheduling

@Suite("Finding slots", .serialized)
struct FindSlotsTests {
    func slots(_ harness: SchedulingHarness, doctor: String = "", specialty: String = "", chair: String = "",
               from: Date, count: Int32 = 4, minutes: Int32 = 30) async throws -> [Clinic_Scheduling_V1_Slot] {
        var request = Clinic_Scheduling_V1_FindSlotsRequest()
        request.doctorID = doctor
        request.specialty = specialty
        request.chairID = chair
        request.fromTime = .init(date: from)
        request.count = count
        request.durationMinutes = minutes
        return try await harness.call(Scheduling.findSlots, request).slots
    }

    func locals(_ slots: [Clinic_Scheduling_V1_Slot]) -> [String] { slots.map { String($0.startLocal.suffix(5)) } }

    @Test func slotsSkipBookingsBreaksAndTheEndOfTheDay() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        let day = Day(inDays: 7)
        _ = try await harness.call(Scheduling.bookAppointment, bookingRequest(doctor: doctor.id, start: day.at(11), minutes: 30))
        let found = try await slots(harness, doctor: doctor.id, from: day.at(10, 50), count: 4)
        // 10:50 rounds up to 11:00 (taken), 11:30 fits, 11:45 would run into the break, then after lunch.
        #expect(locals(found) == ["11:30", "13:00", "13:15", "13:30"])
        #expect(found.allSatisfy { $0.doctorName == "王医生" && $0.doctorID == doctor.id })
        #expect(found.first?.endTime.date == day.at(12))
        // Late in the day the search continues the next morning.
        let evening = try await slots(harness, doctor: doctor.id, from: day.at(19, 20), count: 2)
        #expect(evening.map(\.startLocal) == ["\(day.date) 19:30", "\(day.date.adding(days: 1)) 08:00"])
    }

    @Test func aChairMustBeFreeToo() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        let other = try await harness.makeDoctor(name: "李医生")
        let chair = try await harness.makeChair()
        let day = Day(inDays: 7)
        _ = try await harness.call(Scheduling.bookAppointment, bookingRequest(doctor: other.id, chair: chair.id, start: day.at(9), minutes: 60))
        #expect(locals(try await slots(harness, doctor: doctor.id, from: day.at(9), count: 1)) == ["09:00"])
        #expect(locals(try await slots(harness, doctor: doctor.id, chair: chair.id, from: day.at(9), count: 1)) == ["10:00"])
    }

    @Test func aSpecialtyMergesItsDoctorsInTimeOrder() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let first = try await harness.makeDoctor(name: "A医生", specialty: "Orthodontics")
        let second = try await harness.makeDoctor(name: "B医生", specialty: "orthodontics")
        _ = try await harness.makeDoctor(name: "C医生", specialty: "implants")
        let day = Day(inDays: 7)
        _ = try await harness.call(Scheduling.bookAppointment, bookingRequest(doctor: first.id, start: day.at(8), minutes: 60))
        let found = try await slots(harness, specialty: "ORTHODONTICS", from: day.at(8), count: 3)
        #expect(found.map(\.doctorName) == ["B医生", "B医生", "B医生"])
        #expect(locals(found) == ["08:00", "08:15", "08:30"])
        let more = try await slots(harness, specialty: "orthodontics", from: day.at(8), count: 10)
        #expect(more.map(\.startTime.date) == more.map(\.startTime.date).sorted())
        #expect(more.contains { $0.doctorID == first.id && $0.startLocal.hasSuffix("09:00") })
        _ = second
    }

    @Test func leaveAndDaysOffAreSkippedAndRequestsValidated() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        let day = Day(inDays: 7)
        var leave = Clinic_Scheduling_V1_AddLeaveRequest()
        leave.doctorID = doctor.id
        leave.startDate = day.date.description
        _ = try await harness.call(Scheduling.addLeave, leave)
        #expect(try await slots(harness, doctor: doctor.id, from: day.at(8), count: 1).map(\.startLocal) == ["\(day.date.adding(days: 1)) 08:00"])

        var bad = Clinic_Scheduling_V1_FindSlotsRequest()
        bad.count = 51
        bad.stepMinutes = 1
        let error = await harness.failure(Scheduling.findSlots, bad)
        #expect(Set(error?.violations.map(\.field) ?? []) == ["count", "stepMinutes"])
        // In range, but neither a doctor nor a specialty: the handler's own rule.
        let neither = await harness.failure(Scheduling.findSlots, Clinic_Scheduling_V1_FindSlotsRequest())
        #expect(neither?.violations.map(\.field) == ["doctorId"])
        // No slots in the past, even when asked from yesterday.
        let now = Date()
        let fromPast = try await slots(harness, doctor: doctor.id, from: now.addingTimeInterval(-86_400), count: 1)
        #expect(fromPast.allSatisfy { $0.startTime.date >= now.addingTimeInterval(-1) })
    }

    /// Each worker keeps the rosters in memory; every kind of change must reach every worker's next search.
    @Test func everyWorkerSeesRosterChangesAtOnce() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor(name: "A医生", specialty: "endodontics")
        let day = Day(inDays: 9)
        // Several searches, so both workers of the harness have loaded their copy.
        func firstSlots() async throws -> [String] {
            var seen: Set<[String]> = []
            for _ in 0..<6 {
                seen.insert(try await slots(harness, specialty: "endodontics", from: day.at(8), count: 1)
                    .map { "\($0.doctorName) \($0.startLocal)" })
            }
            #expect(seen.count == 1, "workers disagree: \(seen)")
            return seen.first ?? []
        }
        #expect(try await firstSlots() == ["A医生 \(day.date) 08:00"])

        var late = Clinic_Scheduling_V1_SetRosterOverrideRequest()
        late.override.doctorID = doctor.id
        late.override.date = day.date.description
        late.override.hours = .init(start: "10:00", end: "18:00")
        _ = try await harness.call(Scheduling.setRosterOverride, late)
        #expect(try await firstSlots() == ["A医生 \(day.date) 10:00"])

        var leave = Clinic_Scheduling_V1_AddLeaveRequest()
        leave.doctorID = doctor.id
        leave.startDate = day.date.description
        _ = try await harness.call(Scheduling.addLeave, leave)
        #expect(try await firstSlots() == ["A医生 \(day.date.adding(days: 1)) 08:00"])

        var week = Clinic_Scheduling_V1_SetWeeklyRosterRequest()
        week.doctorID = doctor.id
        week.days = (1...7).map { weekday in
            var hours = Clinic_Scheduling_V1_RosterDay()
            hours.weekday = Int32(weekday)
            hours.hours = .init(start: "09:30", end: "17:00")
            return hours
        }
        _ = try await harness.call(Scheduling.setWeeklyRoster, week)
        #expect(try await firstSlots() == ["A医生 \(day.date.adding(days: 1)) 09:30"])

        _ = try await harness.makeDoctor(name: "B医生", specialty: "Endodontics")
        #expect(try await firstSlots() == ["B医生 \(day.date) 08:00"])

        var retire = Clinic_Scheduling_V1_UpdateDoctorRequest()
        retire.doctorID = doctor.id
        retire.active = .deactivate
        _ = try await harness.call(Scheduling.updateDoctor, retire)
        let remaining = try await slots(harness, specialty: "endodontics", from: day.at(8), count: 20)
        #expect(!remaining.isEmpty && remaining.allSatisfy { $0.doctorName == "B医生" })
        let inactive = await harness.failure(Scheduling.findSlots, {
            var request = Clinic_Scheduling_V1_FindSlotsRequest()
            request.doctorID = doctor.id
            return request
        }())
        #expect(inactive?.code == .failedPrecondition)
    }

    /// The counter moves with any change, even from a session whose search_path does not name scheduling's schema.
    @Test func theRosterGenerationMovesWithEveryChange() async throws {
        let harness = try SchedulingHarness()
        defer { harness.stop() }
        let doctor = try await harness.makeDoctor()
        let db = try harness.database()
        defer { db.close() }
        let schema = try #require(try db.query("SELECT current_schema() AS s").first?.decode("s", as: String.self))
        func generation() throws -> Int64 {
            try #require(try db.query("SELECT value FROM \(identifier: schema).roster_generation").first?.decode("value", as: Int64.self))
        }
        let before = try generation()
        try db.execute(script: "SET search_path = public")
        let id = try #require(UUIDText.parse(doctor.id))
        try db.execute("UPDATE \(identifier: schema).doctors SET title = 'chief' WHERE id = \(id)")
        #expect(try generation() == before + 1)
        try db.execute("DELETE FROM \(identifier: schema).roster_days WHERE doctor_id = \(id) AND weekday = 7")
        #expect(try generation() == before + 2)
    }
}

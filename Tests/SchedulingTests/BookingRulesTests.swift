import ClinicService
import Foundation
import Testing
@testable import Scheduling

@Suite("Booking rules")
struct BookingRulesTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let doctor = UUID().uuidString

    func fields(_ draft: BookingDraft) -> [String] {
        switch BookingRules.validate(draft, now: now) {
        case .success: []
        case .failure(let list): list.violations.map(\.field)
        }
    }

    @Test func aPatientBookingWithDefaults() throws {
        let patient = UUID()
        let start = now.addingTimeInterval(3600)
        let booking = try BookingRules.validate(BookingDraft(patientID: patient.uuidString, doctorID: doctor, start: start), now: now).get()
        #expect(booking.party == .patient(patient))
        #expect(booking.durationMinutes == 30)
        #expect(booking.span.end == start.addingTimeInterval(1800))
        #expect(booking.chairID == nil)
    }

    @Test func aProspectNeedsNamePhoneAndAPlausibleAge() throws {
        let start = now.addingTimeInterval(3600)
        let good = ProspectDraft(name: " 李雷 ", phone: "+86 139-1234-5678", age: 30)
        let booking = try BookingRules.validate(BookingDraft(prospect: good, doctorID: doctor, start: start), now: now).get()
        #expect(booking.party == .prospect(ProspectDraft(name: "李雷", phone: "13912345678", age: 30)))
        #expect(fields(BookingDraft(prospect: ProspectDraft(name: "", phone: "12345678901", age: 151), doctorID: doctor, start: start))
                == ["prospect.name", "prospect.phone", "prospect.age"])
    }

    @Test func patientAndProspectAreExclusive() {
        let start = now.addingTimeInterval(3600)
        #expect(fields(BookingDraft(doctorID: doctor, start: start)) == ["patientId"])
        #expect(fields(BookingDraft(patientID: UUID().uuidString, prospect: ProspectDraft(name: "a", phone: "13912345678", age: 1),
                                    doctorID: doctor, start: start)) == ["patientId"])
        #expect(fields(BookingDraft(patientID: "42", doctorID: doctor, start: start)) == ["patientId"])
    }

    @Test func everyInvalidFieldIsNamed() {
        let draft = BookingDraft(patientID: UUID().uuidString, doctorID: "", chairID: "chair-1", start: nil, durationMinutes: 481,
                                 procedure: String(repeating: "x", count: 101))
        #expect(fields(draft) == ["doctorId", "chairId", "durationMinutes", "startTime", "procedure"])
        #expect(fields(BookingDraft(patientID: UUID().uuidString, doctorID: doctor, start: now, durationMinutes: 4)) == ["durationMinutes"])
    }

    @Test func theStartMayNotBeInThePastBeyondAFewMinutes() {
        let patient = UUID().uuidString
        #expect(fields(BookingDraft(patientID: patient, doctorID: doctor, start: now.addingTimeInterval(-240))) == [])
        #expect(fields(BookingDraft(patientID: patient, doctorID: doctor, start: now.addingTimeInterval(-600))) == ["startTime"])
    }

    @Test func workingTimeMessagesNameDoctorDateAndHours() throws {
        let clock = ClinicClock(timeZone: TimeZone(identifier: "Asia/Shanghai")!)
        let date = ClinicDate(year: 2026, month: 11, day: 24)
        let hours = try WorkingHours.parse(start: "09:00", end: "17:30", breaks: [("12:00", "13:30")], field: "d").get()
        let day = RosterCalculator(clock: clock).day(date, weekly: WeeklyRoster(days: [2: hours]), override: nil, leave: [])
        func booking(_ hour: Int, _ minute: Int, _ length: Int = 30) -> TimeSpan {
            let start = clock.instant(date, TimeOfDay(hour: hour, minute: minute))
            return TimeSpan(start: start, end: start.addingTimeInterval(TimeInterval(length * 60)))
        }
        #expect(WorkingTimeCheck.problem(booking: booking(9, 0), doctorName: "王", day: day) == nil)
        #expect(WorkingTimeCheck.problem(booking: booking(11, 45), doctorName: "王", day: day)
                == "outside Dr 王's working hours on 2026-11-24 (09:00–12:00, 13:30–17:30)")
        #expect(WorkingTimeCheck.problem(booking: booking(17, 15), doctorName: "王", day: day) != nil)
        let off = RosterCalculator(clock: clock).day(date, weekly: WeeklyRoster(), override: nil, leave: [])
        #expect(WorkingTimeCheck.problem(booking: booking(9, 0), doctorName: "王", day: off) == "Dr 王 does not work on 2026-11-24")
    }
}

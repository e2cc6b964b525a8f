import ClinicService
import ClinicProto
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

    @Test func aProspectsPhoneIsNormalisedAsTyped() throws {
        let start = now.addingTimeInterval(3600)
        // Dashes, a +86 prefix and the ideographic space a Chinese keyboard types are all accepted.
        for typed in ["+86 139-1234-5678", "139\u{3000}1234\u{3000}5678"] {
            let booking = try BookingRules.validate(BookingDraft(prospect: ProspectDraft(name: " 李雷 ", phone: typed, age: 30),
                                                                 doctorID: doctor, start: start), now: now).get()
            #expect(booking.party == .prospect(ProspectDraft(name: "李雷", phone: "13912345678", age: 30)))
        }
    }

    /// The contract's field rules for a booking, as the worker runtime checks them before the handler.
    func contractViolations(_ edit: (inout Clinic_Scheduling_V1_BookAppointmentRequest) -> Void) -> [String] {
        var request = Clinic_Scheduling_V1_BookAppointmentRequest()
        request.doctorID = doctor.lowercased()
        request.patientID = UUID().uuidString
        request.startTime = .init(date: now)
        edit(&request)
        return request.fieldViolations().map(\.field)
    }

    @Test func aProspectNeedsNamePhoneAndAPlausibleAge() {
        let fields = contractViolations { request in
            request.patientID = ""
            request.prospect.name = ""
            request.prospect.phone = "12345678901"
            request.prospect.age = 151
        }
        #expect(fields == ["prospect.name", "prospect.phone", "prospect.age"])
        // The same phone the desk's rules accept passes the contract too (the ideographic space included).
        #expect(contractViolations { request in
            request.patientID = ""
            request.prospect.name = "李雷"
            request.prospect.phone = "139\u{3000}1234\u{3000}5678"
        } == [])
    }

    @Test func patientAndProspectAreExclusive() {
        #expect(contractViolations { $0.patientID = "" } == ["patientId"])
        #expect(contractViolations { request in
            request.prospect.name = "a"
            request.prospect.phone = "13912345678"
        } == ["patientId"])
        #expect(contractViolations { $0.patientID = "42" } == ["patientId"])
    }

    @Test func everyInvalidFieldIsNamed() {
        let fields = contractViolations { request in
            request.doctorID = ""
            request.chairID = "chair-1"
            request.clearStartTime()
            request.durationMinutes = 481
            request.procedure = String(repeating: "x", count: 101)
        }
        #expect(fields == ["doctorId", "chairId", "startTime", "durationMinutes", "procedure"])
        #expect(contractViolations { $0.durationMinutes = 4 } == ["durationMinutes"])
        // A draft that skipped the contract is refused all the same.
        #expect(self.fields(BookingDraft(patientID: "42", doctorID: "", start: nil)) == ["patientId", "doctorId", "startTime"])
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

import ClinicContract
import ClinicProto
import SwiftProtobuf
import Testing

@Suite("Field rules")
struct FieldRulesTests {
    func fields(_ message: some FieldRulesChecked) -> [String] { message.fieldViolations().map(\.field) }

    @Test func textRulesApplyToGivenValuesAndRequiredOnesToEmptyValues() {
        var violations: [FieldViolation] = []
        FieldRule.text("", "a", at: "", into: &violations, format: .uuid, maxLength: 3)
        #expect(violations.isEmpty, "an optional field left empty is absent")
        FieldRule.text(" \u{3000} ", "a", at: "", into: &violations, required: true)
        FieldRule.text("abcd", "b", at: "x.", into: &violations, maxLength: 3)
        FieldRule.text("名名名", "c", at: "", into: &violations, maxLength: 3)
        FieldRule.text("not-an-id", "d", at: "", into: &violations, format: .uuid)
        FieldRule.text("2026-02-29", "e", at: "", into: &violations, format: .date)
        FieldRule.text("24:00", "f", at: "", into: &violations, format: .timeOfDay)
        FieldRule.text("36", "g", at: "", into: &violations, format: .fdiTooth)
        FieldRule.text("ab", "h", at: "", into: &violations, pattern: "^[0-9]+$")
        FieldRule.text("a\u{200B}b", "i", at: "", into: &violations, noControlCharacters: true)
        #expect(violations.map(\.field) == ["a", "x.b", "d", "e", "h", "i"])
        #expect(violations.map(\.description_p) == ["is required", "must be at most 3 characters", "must be an id (UUID)",
                                                    "must be a date YYYY-MM-DD", "must match ^[0-9]+$", "must not contain control characters"])
    }

    @Test func integerRulesTreatZeroAsNotGiven() {
        var violations: [FieldViolation] = []
        FieldRule.integer(0, "a", at: "", into: &violations, min: 5, max: 480)
        FieldRule.integer(4, "b", at: "", into: &violations, min: 5, max: 480)
        FieldRule.integer(0, "c", at: "", into: &violations, required: true, min: 1, max: 7)
        FieldRule.integer(-1, "d", at: "", into: &violations, min: 0)
        FieldRule.integer(49, "e", at: "", into: &violations, format: .fdiTooth)
        #expect(violations.map(\.field) == ["b", "c", "d", "e"])
        #expect(violations.first?.description_p == "must be between 5 and 480")
    }

    @Test func nestedAndRepeatedFieldsAreNamedByTheirJSONPath() {
        var roster = Clinic_Scheduling_V1_SetWeeklyRosterRequest()
        roster.doctorID = "0b9c3a4e-6f1d-4c2a-9e57-3d8f1a2b4c6d"
        var monday = Clinic_Scheduling_V1_RosterDay()
        monday.weekday = 1
        monday.hours = .with { $0.start = "09:00"; $0.end = "17:30" }
        var broken = Clinic_Scheduling_V1_RosterDay()
        broken.weekday = 9
        broken.breaks = [.with { $0.start = "12"; $0.end = "13:00" }]
        roster.days = [monday, broken]
        #expect(fields(roster) == ["days[1].weekday", "days[1].hours", "days[1].breaks[0].start"])

        var registration = Clinic_Reception_V1_RegisterPatientRequest()
        registration.name = "王芳"
        registration.birthDate = "1990-05-01"
        registration.phone = "13812345678"
        registration.allergies = ["青霉素", " ", String(repeating: "x", count: 201)]
        #expect(fields(registration) == ["allergies[1]", "allergies[2]"])
    }

    @Test func groupsOfFieldsAndEnumValues() throws {
        var booking = Clinic_Scheduling_V1_BookAppointmentRequest()
        booking.doctorID = "0b9c3a4e-6f1d-4c2a-9e57-3d8f1a2b4c6d"
        booking.startTime = Google_Protobuf_Timestamp(seconds: 1_800_000_000)
        #expect(fields(booking) == ["patientId"])
        booking.patientID = "0b9c3a4e-6f1d-4c2a-9e57-3d8f1a2b4c6e"
        #expect(fields(booking) == [])
        booking.prospect.name = "李雷"
        booking.prospect.phone = "13611112222"
        #expect(booking.fieldViolations().first?.description_p == "give exactly one of patientId, prospect")

        var update = Clinic_Reception_V1_UpdatePatientContactRequest()
        update.patientID = "0b9c3a4e-6f1d-4c2a-9e57-3d8f1a2b4c6d"
        #expect(update.fieldViolations().map(\.description_p) == ["give at least one of phone, address"])

        // An enum number the contract does not define arrives from the wire as UNRECOGNIZED, and is refused.
        let bytes: [UInt8] = try Clinic_Scheduling_V1_CreateDoctorRequest.with { $0.name = "王" }.serializedBytes() + [0x18, 0x09]
        let doctor = try Clinic_Scheduling_V1_CreateDoctorRequest(serializedBytes: bytes)
        #expect(fields(doctor) == ["gender"])
    }

    @Test func everyRoutedRequestStartsFromNothingWithOnlyItsRequiredFieldsMissing() {
        // An empty request breaks exactly the `required` rules: nothing else fires on absent values.
        let empty = Clinic_Scheduling_V1_BookAppointmentRequest()
        #expect(Set(fields(empty)) == ["patientId", "doctorId", "startTime"])
        #expect(Set(fields(Clinic_Reception_V1_RegisterPatientRequest())) == ["name", "birthDate", "phone"])
        #expect(fields(Clinic_Scheduling_V1_ListDoctorsRequest()).isEmpty)
    }
}

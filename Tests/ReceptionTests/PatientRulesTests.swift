import ClinicProto
import ClinicService
import Foundation
import Testing
@testable import Reception

@Suite("Patient rules")
struct PatientRulesTests {
    let today = ClinicDate(year: 2026, month: 11, day: 22)

    func violations(_ draft: PatientDraft) -> [String] {
        switch PatientRules.validate(draft, today: today) {
        case .success: []
        case .failure(let list): list.violations.map(\.field)
        }
    }

    @Test func acceptsACompleteDraft() throws {
        let result = PatientRules.validate(.init(name: "  王伟 ", birthDate: "1985-03-12", phone: "+86 138-0013-8000"), today: today)
        let patient = try result.get()
        #expect(patient.name == "王伟")
        #expect(patient.phone.digits == "13800138000")
        #expect(patient.birthDate == ClinicDate(year: 1985, month: 3, day: 12))
    }

    /// The contract's field rules for a registration, as the worker runtime checks them before the handler.
    func contractViolations(name: String, birthDate: String = "1985-03-12", phone: String = "13800138000") -> [String] {
        var request = Clinic_Reception_V1_RegisterPatientRequest()
        request.name = name
        request.birthDate = birthDate
        request.phone = phone
        return request.fieldViolations().map(\.field)
    }

    @Test func nameIsRequiredShortAndFreeOfControlCharacters() {
        #expect(contractViolations(name: "   ") == ["name"])
        #expect(contractViolations(name: String(repeating: "名", count: 51)) == ["name"])
        #expect(contractViolations(name: String(repeating: "名", count: 50)) == [])
        for name in ["李\u{0007}娜", "李\u{200B}娜", "李\u{007F}娜"] {
            #expect(contractViolations(name: name) == ["name"], "\(name.unicodeScalars.map(\.value))")
        }
        #expect(contractViolations(name: "李-娜·O'Brien") == [])
    }

    @Test(arguments: ["12345", "23800138000", "12800138000", "1380013800", "138001380000", "1380013800a", "１３８００１３８０００"])
    func rejectsNonMobilePhones(_ phone: String) {
        #expect(violations(.init(name: "王伟", birthDate: "1985-03-12", phone: phone)) == ["phone"])
    }

    @Test func birthDateMustBeARealPastDate() {
        #expect(violations(.init(name: "王伟", birthDate: "2026-11-23", phone: "13800138000")) == ["birthDate"])
        #expect(violations(.init(name: "王伟", birthDate: "2026-11-22", phone: "13800138000")) == [])
        #expect(violations(.init(name: "王伟", birthDate: "2023-02-29", phone: "13800138000")) == ["birthDate"])
        #expect(violations(.init(name: "王伟", birthDate: "1985/03/12", phone: "13800138000")) == ["birthDate"])
        #expect(violations(.init(name: "王伟", birthDate: "1890-01-01", phone: "13800138000")) == ["birthDate"])
        #expect(violations(.init(name: "王伟", birthDate: "", phone: "13800138000")) == ["birthDate"])
    }

    @Test func reportsEveryViolationAtOnce() {
        #expect(violations(.init(name: "", birthDate: "someday", phone: "")) == ["phone", "birthDate"])
        #expect(contractViolations(name: "", birthDate: "someday", phone: "") == ["name", "birthDate", "phone"])
    }

    @Test func nationalIDChecksDigitAndBirthDate() {
        // 11010519491231002X is the standard's worked example (born 1949-12-31).
        #expect(NationalID("11010519491231002X")?.birthDate == ClinicDate(year: 1949, month: 12, day: 31))
        #expect(NationalID("110105194912310021") == nil)
        #expect(violations(.init(name: "王伟", birthDate: "1949-12-31", phone: "13800138000", nationalID: "11010519491231002x")) == [])
        #expect(violations(.init(name: "王伟", birthDate: "1950-01-01", phone: "13800138000", nationalID: "11010519491231002X")) == ["nationalId"])
        #expect(violations(.init(name: "王伟", birthDate: "1949-12-31", phone: "13800138000", nationalID: "123")) == ["nationalId"])
    }

    @Test func phonesAreMaskedInLists() {
        #expect(MobileNumber("13812345678")?.masked == "138****5678")
        #expect(MobileNumber.mask("13812345678") == "138****5678")
        #expect("\(MobileNumber("13812345678")!)" == "138****5678")
    }

    @Test func ageCountsWholeYearsInTheClinicTimeZone() throws {
        let calendar = ClinicClock(timeZone: try #require(TimeZone(identifier: "Asia/Shanghai")))
        let birth = ClinicDate(year: 1990, month: 11, day: 23)
        #expect(calendar.age(birth: birth, on: ClinicDate(year: 2026, month: 11, day: 22)) == 35)
        #expect(calendar.age(birth: birth, on: ClinicDate(year: 2026, month: 11, day: 23)) == 36)
        // 2026-11-22 16:30 UTC is already 2026-11-23 00:30 in Shanghai.
        let instant = try #require(ISO8601DateFormatter().date(from: "2026-11-22T16:30:00Z"))
        #expect(calendar.today(now: instant) == ClinicDate(year: 2026, month: 11, day: 23))
        // Asked again inside and on both edges of the remembered day, and after it.
        #expect(calendar.today(now: instant.addingTimeInterval(3600)) == ClinicDate(year: 2026, month: 11, day: 23))
        #expect(calendar.today(now: instant.addingTimeInterval(-1801)) == ClinicDate(year: 2026, month: 11, day: 22))
        #expect(calendar.today(now: instant.addingTimeInterval(-1800)) == ClinicDate(year: 2026, month: 11, day: 23))
        #expect(calendar.today(now: instant.addingTimeInterval(86_400 - 1801)) == ClinicDate(year: 2026, month: 11, day: 23))
        #expect(calendar.today(now: instant.addingTimeInterval(86_400 - 1800)) == ClinicDate(year: 2026, month: 11, day: 24))
        #expect(calendar.today(now: instant) == ClinicDate(year: 2026, month: 11, day: 23))
    }

    @Test func namesAndPhonesAreTrimmedOfAnyWhitespace() throws {
        // The ideographic space a Chinese keyboard types, tabs and newlines all go.
        let patient = try PatientRules.validate(.init(name: "\u{3000}\t李娜\n ", birthDate: "1985-03-12", phone: " 13800138000\n"),
                                                today: today).get()
        #expect(patient.name == "李娜")
        #expect(patient.phone.digits == "13800138000")
        #expect(" \u{3000} ".trimmingWhitespace().isEmpty)
        #expect("a b".trimmingWhitespace() == "a b")
    }

    @Test func randomIDsAreVersion4AndDistinct() {
        let ids = (0..<1000).map { _ in UUID.random() }
        #expect(Set(ids).count == 1000)
        for id in ids {
            #expect(id.uuid.6 >> 4 == 4)
            #expect(id.uuid.8 >> 6 == 0b10)
        }
    }

    @Test func likePatternsEscapeWildcards() {
        #expect(PatientStore.likePrefix("王%_\\") == "王\\%\\_\\\\%")
    }
}

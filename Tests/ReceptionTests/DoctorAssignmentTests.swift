import Testing
@testable import Reception

/// Who sees the patient: chosen, booked, original, preferred and by gender; refusals; doctors off or gone.
@Suite("Doctor assignment")
struct DoctorAssignmentTests {
    static let wang = DoctorOnDuty(id: "wang", name: "王", gender: 1, active: true, worksToday: true, waiting: 3)
    static let li = DoctorOnDuty(id: "li", name: "李", gender: 2, active: true, worksToday: true, waiting: 2)
    static let zhao = DoctorOnDuty(id: "zhao", name: "赵", gender: 2, active: true, worksToday: true, waiting: 0)
    static let off = DoctorOnDuty(id: "off", name: "休", gender: 1, active: true, worksToday: false)
    static let gone = DoctorOnDuty(id: "gone", name: "离", gender: 2, active: false, worksToday: false)
    static let doctors = [wang, li, zhao, off, gone]

    func choose(_ request: DoctorAssignment.Request) -> Result<DoctorAssignment.Outcome, DoctorAssignment.Refusal> {
        DoctorAssignment.choose(request, doctors: Self.doctors)
    }

    @Test func theChosenDoctorComesFirst() throws {
        let outcome = try choose(.init(chosen: "li", appointmentDoctor: "wang", preferredDoctor: "zhao")).get()
        #expect(outcome.doctor?.id == "li" && outcome.basis == .chosen)
    }

    @Test func thenTheAppointmentsDoctorThenThePreferredOne() throws {
        #expect(try choose(.init(appointmentDoctor: "wang", preferredDoctor: "zhao")).get().basis == .appointment)
        let preferred = try choose(.init(preferredDoctor: "zhao")).get()
        #expect(preferred.doctor?.id == "zhao" && preferred.basis == .preferred)
    }

    @Test func theOriginalDoctorOfAToothTreatedWithinAYearOutranksThePreferredOne() throws {
        let outcome = try choose(.init(originalDoctor: "wang", preferredDoctor: "zhao")).get()
        #expect(outcome.doctor?.id == "wang" && outcome.basis == .originalDoctor)
        #expect(outcome.refusedOriginal == nil)
    }

    @Test func passingOverTheOriginalDoctorNeedsTheReasonAndIsRecorded() throws {
        #expect(choose(.init(chosen: "li", originalDoctor: "wang")) == .failure(.refusalReasonNeeded(original: "王")))
        #expect(choose(.init(chosen: "li", originalDoctor: "wang", refusalReason: "  ")) == .failure(.refusalReasonNeeded(original: "王")))
        let outcome = try choose(.init(chosen: "li", originalDoctor: "wang", refusalReason: "想换医生")).get()
        #expect(outcome.doctor?.id == "li")
        #expect(outcome.refusedOriginal?.id == "wang")
        // Choosing the original doctor is no refusal.
        #expect(try choose(.init(chosen: "wang", originalDoctor: "wang")).get().refusedOriginal == nil)
    }

    @Test func aRequestedGenderIsHonoured() throws {
        // No one named: the available doctor of that gender with the shortest queue.
        let female = try choose(.init(gender: 2)).get()
        #expect(female.doctor?.id == "zhao" && female.basis == .gender)
        // A preferred doctor of the other gender is passed over.
        #expect(try choose(.init(preferredDoctor: "wang", gender: 2)).get().doctor?.id == "zhao")
        // A chosen doctor of the other gender is a contradiction.
        #expect(choose(.init(chosen: "wang", gender: 2)) == .failure(.genderMismatch(doctor: "王", wanted: 2)))
        // The original doctor of the other gender: the patient refuses them, which needs a reason.
        #expect(choose(.init(originalDoctor: "wang", gender: 2)) == .failure(.refusalReasonNeeded(original: "王")))
        let refused = try choose(.init(originalDoctor: "wang", gender: 2, refusalReason: "要女医生")).get()
        #expect(refused.doctor?.id == "zhao" && refused.refusedOriginal?.id == "wang")
    }

    @Test func aDoctorOffOrGoneLeavesTheVisitForASupervisorToCover() throws {
        let off = try choose(.init(appointmentDoctor: "off")).get()
        #expect(off.doctor == nil && off.needsCoverFor?.id == "off")
        #expect(off.note == "Dr 休 is off today: a supervisor assigns a covering doctor")
        let gone = try choose(.init(preferredDoctor: "gone")).get()
        #expect(gone.doctor == nil && gone.note.contains("no longer works here"))
        // No doctor of the gender works today.
        let none = DoctorAssignment.choose(.init(gender: 1), doctors: [Self.li, Self.off])
        #expect(try none.get().doctor == nil && (try none.get().note.contains("no male doctor")))
    }

    @Test func nothingNamedLeavesTheChoiceToTheDesk() throws {
        let outcome = try choose(.init()).get()
        #expect(outcome.doctor == nil && outcome.note.isEmpty)
        #expect(choose(.init(chosen: "nobody")) == .failure(.unknownDoctor("nobody")))
    }
}

import Testing
@testable import Scheduling

@Suite("Appointment lifecycle")
struct AppointmentLifecycleTests {
    func next(_ event: AppointmentEvent, from status: AppointmentStatus) -> AppointmentStatus? {
        try? AppointmentLifecycle.next(after: event, from: status).get()
    }

    @Test func theHappyPath() {
        #expect(next(.confirm, from: .booked) == .confirmed)
        #expect(next(.arrive(sameClinicDay: true), from: .confirmed) == .arrived)
        #expect(next(.arrive(sameClinicDay: true), from: .booked) == .arrived)
        #expect(next(.startTreatment, from: .arrived) == .inTreatment)
        #expect(next(.complete, from: .inTreatment) == .completed)
    }

    @Test(arguments: [AppointmentStatus.booked, .confirmed])
    func waitingAppointmentsCanBeCancelledMovedOrMissed(_ status: AppointmentStatus) {
        #expect(next(.cancel, from: status) == .cancelled)
        #expect(next(.reschedule, from: status) == .rescheduled)
        #expect(next(.markNoShow, from: status) == .noShow)
    }

    @Test func aNoShowMayArriveLateTheSameDayOnly() {
        #expect(next(.arrive(sameClinicDay: true), from: .noShow) == .arrived)
        #expect(next(.arrive(sameClinicDay: false), from: .noShow) == nil)
        #expect(next(.arrive(sameClinicDay: false), from: .booked) == .arrived)
    }

    @Test func illegalTransitionsNameTheCurrentState() throws {
        let error = try #require(AppointmentLifecycle.next(after: .cancel, from: .completed).failure)
        #expect(error.description == "the appointment is completed; it cannot be cancelled")
        #expect(AppointmentLifecycle.next(after: .complete, from: .arrived).failure?.description.contains("arrived") == true)
        #expect(AppointmentLifecycle.next(after: .startTreatment, from: .inTreatment).failure?.description.contains("in treatment") == true)
        #expect(next(.confirm, from: .cancelled) == nil)
        #expect(next(.reschedule, from: .rescheduled) == nil)
        #expect(next(.markNoShow, from: .arrived) == nil)
        #expect(next(.cancel, from: .noShow) == nil)
    }

    @Test func onlyTheActiveStatusesHoldASlot() {
        #expect(AppointmentStatus.allCases.filter(\.isActive) == [.booked, .confirmed, .arrived, .inTreatment, .completed])
    }
}

extension Result {
    /// The failure, if any.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

import Foundation
import Testing
@testable import Reception

/// The queue order as a pure function, in every case DOMAIN.md §1 names, the desk's moves, the estimated wait and
/// the prompts.
@Suite("Waiting queue")
struct WaitingQueueTests {
    /// 09:00 on a clinic morning, and minutes from it.
    static let nine = Date(timeIntervalSince1970: 1_796_000_400)
    static func at(_ minutes: Double) -> Date { nine.addingTimeInterval(minutes * 60) }

    static func walkIn(_ arrived: Double) -> QueueCandidate { QueueCandidate(visitID: UUID(), checkedInAt: at(arrived)) }
    static func booked(_ start: Double, arrived: Double, calledAhead: Bool = false) -> QueueCandidate {
        QueueCandidate(visitID: UUID(), appointmentStart: at(start), calledAhead: calledAhead, checkedInAt: at(arrived))
    }
    static func emergency(_ arrived: Double) -> QueueCandidate { QueueCandidate(visitID: UUID(), emergency: true, checkedInAt: at(arrived)) }

    func ordered(_ candidates: [QueueCandidate], lateGrace: TimeInterval = 0) -> [UUID] {
        WaitingQueue.order(candidates.shuffled(), lateGrace: lateGrace).map(\.visitID)
    }

    @Test func emergenciesGoFirstByArrival() {
        let walkIn = Self.walkIn(0), booked = Self.booked(30, arrived: 5)
        let first = Self.emergency(20), second = Self.emergency(25)
        #expect(ordered([walkIn, booked, second, first]) == [first, second, booked, walkIn].map(\.visitID))
    }

    @Test func bookedPatientsGoInAppointmentOrderWhateverTheirArrival() {
        let at10 = Self.booked(60, arrived: 0), at930 = Self.booked(30, arrived: 20), at945 = Self.booked(45, arrived: 10)
        #expect(ordered([at10, at930, at945]) == [at930, at945, at10].map(\.visitID))
    }

    @Test func bookedPatientsGoBeforeWalkIns() {
        let walkIn = Self.walkIn(0), booked = Self.booked(90, arrived: 10)
        #expect(ordered([walkIn, booked]) == [booked, walkIn].map(\.visitID))
    }

    @Test func walkInsGoByArrival() {
        let a = Self.walkIn(3), b = Self.walkIn(1), c = Self.walkIn(2)
        #expect(ordered([a, b, c]) == [b, c, a].map(\.visitID))
    }

    @Test func aLatePatientWhoCalledAheadKeepsTheirPlace() {
        // Booked 09:00, arrives 09:20 having called: still before the 09:30 booking.
        let called = Self.booked(0, arrived: 20, calledAhead: true), next = Self.booked(30, arrived: 10)
        #expect(ordered([next, called]) == [called, next].map(\.visitID))
    }

    @Test func aLatePatientWhoDidNotCallQueuesByArrival() {
        // Booked 09:00, arrives 09:20 without calling: behind every booking, and among walk-ins by arrival.
        let late = Self.booked(0, arrived: 20), next = Self.booked(30, arrived: 10)
        let earlier = Self.walkIn(15), later = Self.walkIn(25)
        #expect(ordered([later, next, late, earlier]) == [next, earlier, late, later].map(\.visitID))
    }

    @Test func theLateGraceDecidesWhoIsLate() {
        let late = Self.booked(0, arrived: 4), next = Self.booked(30, arrived: 1), walkIn = Self.walkIn(2)
        #expect(ordered([late, next, walkIn], lateGrace: 5 * 60) == [late, next, walkIn].map(\.visitID))
        #expect(ordered([late, next, walkIn], lateGrace: 0) == [next, walkIn, late].map(\.visitID))
    }

    @Test func aMovePutsThePatientJustBeforeAnotherAndEveryoneElseKeepsTheirPlace() throws {
        let a = Self.booked(0, arrived: 0), b = Self.booked(30, arrived: 1), c = Self.walkIn(2), d = Self.walkIn(3)
        var queue = [a, b, c, d]
        // d before b.
        let key = try WaitingQueue.moveKey(d.visitID, before: b.visitID, in: queue, lateGrace: 0).get()
        queue[3].moved = key
        #expect(ordered(queue) == [a, d, b, c].map(\.visitID))
        // c before b too: between d and b.
        queue[2].moved = try WaitingQueue.moveKey(c.visitID, before: b.visitID, in: queue, lateGrace: 0).get()
        #expect(ordered(queue) == [a, d, c, b].map(\.visitID))
        // a to the end.
        queue[0].moved = try WaitingQueue.moveKey(a.visitID, before: nil, in: queue, lateGrace: 0).get()
        #expect(ordered(queue) == [d, c, b, a].map(\.visitID))
        // An emergency arriving later still goes first; the moved patients keep their order behind it.
        let urgent = Self.emergency(40)
        #expect(ordered(queue + [urgent]) == [urgent, d, c, b, a].map(\.visitID))
        // The one moved before leaves: the move still holds.
        #expect(ordered(queue.filter { $0.visitID != b.visitID }) == [d, c, a].map(\.visitID))
    }

    @Test func aMoveCannotAnchorOnItselfOrOnSomeoneNotWaiting() {
        let a = Self.walkIn(0), b = Self.walkIn(1)
        #expect(WaitingQueue.moveKey(a.visitID, before: a.visitID, in: [a, b], lateGrace: 0) == .failure(.ontoItself))
        #expect(WaitingQueue.moveKey(a.visitID, before: UUID(), in: [a, b], lateGrace: 0) == .failure(.anchorNotWaiting))
    }

    @Test func theTypicalTreatmentIsTheMedianInWholeMinutesOrTheDefault() {
        #expect(WaitEstimate(medianMinutes: nil, defaultMinutes: 30).typicalMinutes == 30)
        #expect(WaitEstimate(medianMinutes: 19.5, defaultMinutes: 30).typicalMinutes == 20)
        #expect(WaitEstimate(medianMinutes: 0.2, defaultMinutes: 30).typicalMinutes == 1)
        #expect(WaitEstimate(medianMinutes: .nan, defaultMinutes: 30).typicalMinutes == 30)
    }

    @Test func theEstimatedWaitCountsThoseAheadAndWhatIsLeftOfTheCurrentTreatment() {
        let estimate = WaitEstimate(medianMinutes: 20, defaultMinutes: 30)
        #expect(estimate.minutes(position: 0, currentTreatmentMinutes: nil) == 0)
        #expect(estimate.minutes(position: 2, currentTreatmentMinutes: nil) == 40)
        #expect(estimate.minutes(position: 0, currentTreatmentMinutes: 5) == 15)
        #expect(estimate.minutes(position: 1, currentTreatmentMinutes: 45) == 20)
    }

    @Test func promptsComeAt15And20Minutes() {
        let prompts = WaitPrompts()
        #expect(prompts.prompt(waitedMinutes: 14.9) == WaitPromptKind.none)
        #expect(prompts.prompt(waitedMinutes: 15) == .educate)
        #expect(prompts.prompt(waitedMinutes: 19.9) == .educate)
        #expect(prompts.prompt(waitedMinutes: 20) == .offerNewTime)
    }

    @Test func theWaitOfAnEarlyBookedPatientStartsAtTheirAppointment() {
        #expect(Self.booked(30, arrived: 0).waitingSince == Self.at(30))
        #expect(Self.booked(30, arrived: 40).waitingSince == Self.at(40))
        #expect(Self.walkIn(3).waitingSince == Self.at(3))
    }
}

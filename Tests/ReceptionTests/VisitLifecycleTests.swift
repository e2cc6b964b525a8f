import ClinicBus
import Testing
@testable import Reception

/// The visit state machine: every legal step, and every illegal one refused naming the current state.
@Suite("Visit lifecycle")
struct VisitLifecycleTests {
    static let steps: [VisitStep] = [.assignDoctor, .startTreatment, .completeTreatment, .pay, .leave(unpaidAllowed: false),
                                     .leave(unpaidAllowed: true), .leaveUnseen]

    /// The legal steps, and nothing else.
    static let legal: [VisitStatus: [VisitStep: VisitStatus]] = [
        .checkedIn: [.assignDoctor: .waiting, .leaveUnseen: .leftUnseen],
        .waiting: [.assignDoctor: .waiting, .startTreatment: .inTreatment, .leaveUnseen: .leftUnseen],
        .inTreatment: [.completeTreatment: .treatmentDone],
        .treatmentDone: [.pay: .paid, .leave(unpaidAllowed: true): .left],
        .paid: [.leave(unpaidAllowed: false): .left, .leave(unpaidAllowed: true): .left],
        .left: [:],
        .leftUnseen: [:],
    ]

    @Test func theHappyPathRunsFromCheckInToLeft() throws {
        var status = VisitStatus.checkedIn
        for step in [VisitStep.assignDoctor, .startTreatment, .completeTreatment, .pay, .leave(unpaidAllowed: false)] {
            status = try VisitLifecycle.next(after: step, from: status).get()
        }
        #expect(status == .left)
    }

    @Test(arguments: VisitStatus.allCases)
    func everyStepFromEveryStateIsLegalOrRefusedNamingTheState(_ status: VisitStatus) throws {
        for step in Self.steps {
            let result = VisitLifecycle.next(after: step, from: status)
            if let expected = Self.legal[status]?[step] {
                #expect(try result.get() == expected, "\(step) from \(status)")
            } else {
                guard case .failure(let illegal) = result else {
                    Issue.record("\(step) from \(status) should be refused")
                    continue
                }
                #expect(illegal.status == status)
                #expect(illegal.description.contains("the visit is \(status.spoken)"))
                #expect(illegal.rpcError.code == .failedPrecondition)
            }
        }
    }

    @Test func refusalsSayWhatToDoWhereThereIsSomething() throws {
        let unpaid = VisitLifecycle.next(after: .leave(unpaidAllowed: false), from: .treatmentDone)
        guard case .failure(let refusal) = unpaid else { Issue.record("leaving unpaid without a reason must be refused"); return }
        #expect(refusal.description == "cannot mark the patient left: the visit is treatment done (the bill is not paid: give a reason to leave unpaid)")
        guard case .failure(let early) = VisitLifecycle.next(after: .startTreatment, from: .checkedIn) else { return }
        #expect(early.description.contains("assign a doctor first"))
    }
}

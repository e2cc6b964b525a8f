import ClinicBus
import Testing

@Suite struct SubscriberCatchUpTests {
    @Test func appliesInOrderSkipsDuplicatesAndReplaysGaps() {
        var catchUp = SubscriberCatchUp(lastApplied: ["reception": 4])
        #expect(catchUp.decide(publisher: "reception", seq: 5) == .apply)
        catchUp.applied(publisher: "reception", seq: 5)
        #expect(catchUp.decide(publisher: "reception", seq: 5) == .skipDuplicate)
        #expect(catchUp.decide(publisher: "reception", seq: 3) == .skipDuplicate)
        #expect(catchUp.decide(publisher: "reception", seq: 8) == .replay(after: 5))
        #expect(catchUp.decide(publisher: "billing", seq: 1) == .apply)
        #expect(catchUp.decide(publisher: "billing", seq: 2) == .replay(after: 0))
    }

    @Test func startupReplaysFromRecordedSequences() {
        let catchUp = SubscriberCatchUp(lastApplied: ["reception": 7])
        let replays = catchUp.startupReplays(publishers: ["reception", "billing"])
        #expect(replays.map(\.publisher) == ["reception", "billing"])
        #expect(replays.map(\.after) == [7, 0])
    }

    @Test func replayedBatchFedThroughSameLogicFillsTheGap() {
        var catchUp = SubscriberCatchUp(lastApplied: ["reception": 2])
        #expect(catchUp.decide(publisher: "reception", seq: 5) == .replay(after: 2))
        var applied: [UInt64] = []
        for seq: UInt64 in [2, 3, 4, 5] where catchUp.decide(publisher: "reception", seq: seq) == .apply {
            catchUp.applied(publisher: "reception", seq: seq)
            applied.append(seq)
        }
        #expect(applied == [3, 4, 5])
        #expect(catchUp.lastApplied["reception"] == 5)
    }
}

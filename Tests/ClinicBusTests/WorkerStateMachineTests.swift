@testable import ClinicBus
import Testing

@Suite struct WorkerStateMachineTests {
    @Test func announcesHeartbeatsAndReconnectsWhenBrokerIsSilent() {
        var machine = WorkerStateMachine(service: "clinic.a.v1", heartbeatMS: 100, liveness: 3)
        #expect(machine.socketConnected(now: 0) == [.send(MDPCodec.encode(.ready(service: "clinic.a.v1")))])
        #expect(machine.tick(now: 50).isEmpty)
        #expect(machine.tick(now: 100) == [.send(MDPCodec.encode(.heartbeat))])
        _ = machine.received(MDPCodec.encode(.heartbeat), now: 150)
        #expect(machine.tick(now: 449).contains(.reconnect) == false)
        #expect(machine.tick(now: 450).contains(.reconnect))
    }

    @Test func requestIsHandledAndReplyAddressedToClient() {
        var machine = WorkerStateMachine(service: "s", heartbeatMS: 100, liveness: 3)
        _ = machine.socketConnected(now: 0)
        let actions = machine.received(MDPCodec.encode(.workerRequest(client: [5], header: [1], payload: [2])), now: 10)
        #expect(actions == [.handle(client: [5], header: [1], payload: [2])])
        #expect(machine.replied(client: [5], header: [3], payload: [4], now: 20)
            == [.send(MDPCodec.encode(.workerReply(client: [5], header: [3], payload: [4])))])
    }

    @Test func disconnectFromBrokerMeansReconnectAndStopSaysGoodbye() {
        var machine = WorkerStateMachine(service: "s", heartbeatMS: 100, liveness: 3)
        _ = machine.socketConnected(now: 0)
        #expect(machine.received(MDPCodec.encode(.disconnect), now: 5).contains(.reconnect))
        _ = machine.socketConnected(now: 10)
        #expect(machine.stopping() == [.send(MDPCodec.encode(.disconnect))])
    }
}

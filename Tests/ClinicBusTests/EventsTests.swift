import ClinicBus
import ClinicProto
import Foundation
import Testing

@Suite(.timeLimit(.minutes(1))) struct EventsTests {
    @Test func publishedEventReachesSubscriberThroughTheBroker() async throws {
        let bus = try TestBus()
        defer { bus.stop() }
        let received = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[ReceivedEvent], any Error>) in
            Thread {
                continuation.resume(with: Result {
                    let subscription = try EventSubscription(endpoint: bus.endpoints.eventsOut,
                                                             topicPrefixes: ["clinic.reception."], logger: bus.logger)
                    defer { subscription.close() }
                    let publisher = try EventPublisher(endpoint: bus.endpoints.eventsIn)
                    defer { publisher.close() }
                    var header = Clinic_Bus_V1_EventHeader()
                    header.publisher = "reception"
                    header.type = "clinic.reception.v1.PatientRegistered"
                    var events: [ReceivedEvent] = []
                    // PUB/SUB joins late: publish until the subscription is live, then a few in order.
                    for seq in 1...200 where events.count < 3 {
                        header.seq = UInt64(seq)
                        try publisher.publish(topic: "clinic.billing.BillIssued", header: header, payload: [0])
                        try publisher.publish(topic: "clinic.reception.PatientRegistered", header: header, payload: [9])
                        if let event = try subscription.receive(timeout: .milliseconds(50)) { events.append(event) }
                    }
                    return events
                })
            }.start()
        }
        #expect(received.count >= 3)
        #expect(received.allSatisfy { $0.topic == "clinic.reception.PatientRegistered" && $0.payload == [9] })
        let seqs = received.map(\.header.seq)
        #expect(seqs == seqs.sorted())
    }
}

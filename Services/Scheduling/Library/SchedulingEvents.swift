import ClinicProto
import ClinicStore
import SwiftProtobuf

/// The events scheduling publishes, written to its outbox in the transaction that makes the change.
enum SchedulingEvents {
    /// Publisher name in event headers and checkpoints.
    static let publisher = "scheduling"

    /// Appends `event` under topic `clinic.scheduling.<MessageName>`.
    static func append<Event: SwiftProtobuf.Message>(_ event: Event, on db: Connection) throws {
        let name = Event.protoMessageName
        let shortName = name.split(separator: ".").last.map(String.init) ?? name
        try Outbox.append(topic: "clinic.\(publisher).\(shortName)", type: name, payload: try event.serializedBytes(), on: db)
    }
}

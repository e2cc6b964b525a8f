import ClinicStore
import SwiftProtobuf

extension OutboxEntry {
    /// `event` as `publisher` publishes it: topic `clinic.<publisher>.<MessageName>`, type the full message name.
    public init<Event: SwiftProtobuf.Message>(publisher: String, event: Event) throws {
        let name = Event.protoMessageName
        let shortName = name.split(separator: ".").last.map(String.init) ?? name
        self.init(topic: "clinic.\(publisher).\(shortName)", type: name, payload: try event.serializedBytes())
    }
}

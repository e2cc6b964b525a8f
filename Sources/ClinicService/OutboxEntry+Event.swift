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

/// A service's events as it writes them to its outbox, in the transaction that makes the change.
public struct EventOutbox: Sendable {
    /// The publisher name in topics, event headers and subscribers' checkpoints: the service's name.
    public let publisher: String

    /// The outbox of the service named `publisher`.
    public init(publisher: String) { self.publisher = publisher }

    /// `event` as an outbox entry, for a statement that stores it together with the change.
    public func entry<Event: SwiftProtobuf.Message>(_ event: Event) throws -> OutboxEntry {
        try OutboxEntry(publisher: publisher, event: event)
    }

    /// Appends `event` under topic `clinic.<publisher>.<MessageName>`.
    public func append<Event: SwiftProtobuf.Message>(_ event: Event, on db: Connection) throws {
        try Outbox.append(try entry(event), on: db)
    }

    /// Appends `event` with the transaction's COMMIT, in the same round trip.
    public func appendAtCommit<Event: SwiftProtobuf.Message>(_ event: Event, on db: Connection) throws {
        try Outbox.appendAtCommit(try entry(event), on: db)
    }
}

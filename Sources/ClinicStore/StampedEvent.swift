import Foundation

/// An outbox event with its publish sequence number.
public struct StampedEvent: Sendable, Equatable {
    /// The gapless publish sequence, in commit-visible order.
    public var seq: UInt64
    /// The event's unique id.
    public var eventID: UUID
    /// The topic, e.g. `clinic.reception.PatientRegistered`.
    public var topic: String
    /// The payload's message type.
    public var type: String
    /// The encoded payload.
    public var payload: [UInt8]
    /// When the event was written.
    public var createdAt: Date

    /// Creates an event.
    public init(seq: UInt64, eventID: UUID, topic: String, type: String, payload: [UInt8], createdAt: Date) {
        self.seq = seq
        self.eventID = eventID
        self.topic = topic
        self.type = type
        self.payload = payload
        self.createdAt = createdAt
    }

    init(row: Row) throws {
        self.init(seq: UInt64(clamping: try row.decode("published_seq", as: Int64.self)),
                  eventID: try row.decode("event_id"),
                  topic: try row.decode("topic"),
                  type: try row.decode("type"),
                  payload: try row.decode("payload"),
                  createdAt: try row.decode("created_at"))
    }
}

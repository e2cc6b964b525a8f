import ClinicProto
import ClinicService
import ClinicStore
import SwiftProtobuf

/// The events scheduling publishes, written to its outbox in the transaction that makes the change.
enum SchedulingEvents {
    /// Publisher name in event headers and checkpoints.
    static let publisher = "scheduling"

    /// Appends `event` under topic `clinic.scheduling.<MessageName>`.
    static func append<Event: SwiftProtobuf.Message>(_ event: Event, on db: Connection) throws {
        try Outbox.append(try OutboxEntry(publisher: publisher, event: event), on: db)
    }
}

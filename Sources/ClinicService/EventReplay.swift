import ClinicBus
import ClinicProto
import ClinicStore
import Foundation

/// Serves a service's `Events/Replay` rpc from its outbox, in published-sequence order.
public enum EventReplay {
    /// Events returned when the request does not say.
    public static let defaultLimit = 500
    /// Most events returned by one call.
    public static let maxLimit = 5000

    /// Registers the replay handler for `publisher` on a worker's routes, reading through `db`.
    public static func register(_ method: Method<Clinic_Bus_V1_ReplayRequest, Clinic_Bus_V1_ReplayResponse>,
                                publisher: String, on routes: WorkerRoutes, db: Connection) {
        routes.register(method) { _, request in
            let limit = request.limit == 0 ? defaultLimit : min(Int(request.limit), maxLimit)
            var response = Clinic_Bus_V1_ReplayResponse()
            response.events = try Outbox.replay(afterSeq: request.afterSeq, limit: limit, on: db).map {
                $0.busEvent(publisher: publisher)
            }
            response.latestSeq = try Outbox.latestSeq(on: db)
            return response
        }
    }
}

extension StampedEvent {
    /// The header subscribers see for this event.
    public func eventHeader(publisher: String) -> Clinic_Bus_V1_EventHeader {
        var header = Clinic_Bus_V1_EventHeader()
        header.publisher = publisher
        header.seq = seq
        header.type = type
        header.timeUnixMs = Int64((createdAt.timeIntervalSince1970 * 1000).rounded())
        header.eventID = eventID.lowercasedText
        return header
    }

    /// The event as Replay serves it.
    public func busEvent(publisher: String) -> Clinic_Bus_V1_Event {
        var event = Clinic_Bus_V1_Event()
        event.header = eventHeader(publisher: publisher)
        event.payload = Data(payload)
        return event
    }
}

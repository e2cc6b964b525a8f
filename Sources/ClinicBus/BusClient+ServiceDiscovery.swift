import ClinicProto
import Foundation

extension BusClient {
    /// Whether `service` has at least one live worker, asked from a plain thread (CLI, tools).
    public func serviceAvailableBlocking(_ service: String, timeout: Duration) -> Bool {
        guard let reply = try? sendBlocking(service: MDP.serviceDiscovery, header: Self.discoveryHeader(timeout: timeout),
                                            payload: Array(service.utf8)) else {
            return false
        }
        return reply.header.code == .ok
    }

    /// The header of an MMI `mmi.service` question that may wait `timeout`.
    static func discoveryHeader(timeout: Duration) -> Clinic_Bus_V1_RequestHeader {
        var header = Clinic_Bus_V1_RequestHeader()
        header.method = MDP.serviceDiscovery
        header.requestID = RequestID.next()
        header.deadlineUnixMs = BusClock.nowMS() + max(1, timeout.wholeMilliseconds)
        return header
    }
}

import ClinicProto
import Foundation

extension BusClient {
    /// Whether `service` has at least one live worker, asked from a plain thread (CLI, tools).
    public func serviceAvailableBlocking(_ service: String, timeout: Duration) -> Bool {
        var header = Clinic_Bus_V1_RequestHeader()
        header.method = MDP.serviceDiscovery
        header.requestID = UUID().uuidString
        header.deadlineUnixMs = BusClock.nowMS() + max(1, timeout.wholeMilliseconds)
        guard let reply = try? sendBlocking(service: MDP.serviceDiscovery, header: header, payload: Array(service.utf8)) else {
            return false
        }
        return reply.header.code == .ok
    }
}

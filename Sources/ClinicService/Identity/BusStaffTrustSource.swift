import ClinicBus
import ClinicProto

/// Staff's keys and revocations fetched over the bus (`Staff/ListSigningKeys`, `Staff/GetRevocations`,
/// `Events/Replay`): how the gateway and every service but staff itself learn them.
public struct BusStaffTrustSource: StaffTrustSource {
    private let transport: any RPCTransport
    private let options: CallOptions

    /// A source calling through `transport` (waiting up to two seconds per call).
    public init(transport: any RPCTransport, timeout: Duration = .seconds(2)) {
        self.transport = transport
        var caller = Clinic_Bus_V1_Caller()
        caller.system = "token-verifier"
        options = CallOptions(timeout: timeout, caller: caller)
    }

    /// The signing keys clinic-staff lists.
    public func signingKeys() async throws -> [Clinic_Staff_V1_SigningKey] {
        try await transport.call(Clinic_Staff_V1_Staff.listSigningKeys, Clinic_Staff_V1_ListSigningKeysRequest(), options: options).keys
    }

    /// clinic-staff's revocations.
    public func revocations() async throws -> Clinic_Staff_V1_Revocations {
        try await transport.call(Clinic_Staff_V1_Staff.getRevocations, Clinic_Staff_V1_GetRevocationsRequest(), options: options)
    }

    /// Staff events after `seq`.
    public func events(after seq: UInt64) async throws -> Clinic_Bus_V1_ReplayResponse {
        var request = Clinic_Bus_V1_ReplayRequest()
        request.afterSeq = seq
        return try await transport.call(Clinic_Staff_V1_Events.replay, request, options: options)
    }
}

import ClinicProto
import ClinicService
import ClinicStore
import Foundation
import Logging

/// Staff's own keys and revocations read from its own tables, for the verifier of the staff service itself
/// (which must not call itself over the bus). Reads run on a connection thread of their own.
public final class LocalStaffTrustSource: StaffTrustSource {
    private let database: ConnectionThread
    private let tokenLifetime: Duration

    /// A source reading the staff schema at `databaseURL`; keys stay listed a `tokenLifetime` after they retire.
    public init(databaseURL: String, tokenLifetime: Duration, logger: Logger) {
        database = ConnectionThread(name: "staff-trust", url: databaseURL, logger: logger)
        self.tokenLifetime = tokenLifetime
    }

    /// The keys that may have signed an unexpired token (the current one made first on a fresh installation, so
    /// that a verifier starting with the service knows it before the first sign-in).
    public func signingKeys() async throws -> [Clinic_Staff_V1_SigningKey] {
        let lifetime = tokenLifetime
        return try await database.run { db in
            _ = try SigningKeyStore.current(on: db)
            return try SigningKeyStore.verifiable(tokenLifetime: lifetime, on: db).map {
                StaffMessages.signingKey($0, tokenLifetime: lifetime)
            }
        }
    }

    /// Revoked tokens and members who left, as of a published event sequence.
    public func revocations() async throws -> Clinic_Staff_V1_Revocations {
        try await database.run { db in try RevocationStore.snapshot(on: db) }
    }

    /// Staff's published events after `seq`, as `Events/Replay` serves them.
    public func events(after seq: UInt64) async throws -> Clinic_Bus_V1_ReplayResponse {
        try await database.run { db in
            var response = Clinic_Bus_V1_ReplayResponse()
            response.events = try Outbox.replay(afterSeq: seq, limit: EventReplay.defaultLimit, on: db).map {
                $0.busEvent(publisher: StaffService.name)
            }
            response.latestSeq = try Outbox.latestSeq(on: db)
            return response
        }
    }
}

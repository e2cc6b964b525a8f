import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import Foundation

/// The keys that sign staff tokens, and what verifiers must refuse besides bad signatures.
extension StaffHandlers {
    /// Makes a new current signing key; the old one is listed until every token it signed has expired.
    func rotateSigningKey(_ context: RequestContext, _ request: Clinic_Staff_V1_RotateSigningKeyRequest) throws -> Clinic_Staff_V1_SigningKey {
        let key = try SigningKeyStore.rotate(on: db)
        logger.notice("staff signing key rotated", metadata: ["key_id": "\(key.keyID)", "by": "\(context.actor)",
                                                              "request_id": "\(context.requestID)"])
        return StaffMessages.signingKey(key, tokenLifetime: configuration.tokenLifetime)
    }

    /// The public keys that may have signed an unexpired token, the current one first.
    func listSigningKeys(_ context: RequestContext, _ request: Clinic_Staff_V1_ListSigningKeysRequest) throws -> Clinic_Staff_V1_ListSigningKeysResponse {
        _ = try SigningKeyStore.current(on: db)
        var response = Clinic_Staff_V1_ListSigningKeysResponse()
        response.keys = try SigningKeyStore.verifiable(tokenLifetime: configuration.tokenLifetime, on: db).map {
            StaffMessages.signingKey($0, tokenLifetime: configuration.tokenLifetime)
        }
        return response
    }

    /// Unexpired signed-out tokens and members who left, with the published event sequence they are as of (one
    /// snapshot).
    func getRevocations(_ context: RequestContext, _ request: Clinic_Staff_V1_GetRevocationsRequest) throws -> Clinic_Staff_V1_Revocations {
        try RevocationStore.snapshot(on: db)
    }
}

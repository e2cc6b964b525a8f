import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import Foundation

/// The keys that sign staff tokens, and what verifiers must refuse besides bad signatures.
extension StaffHandlers {
    func rotateSigningKey(_ context: RequestContext, _ request: Clinic_Staff_V1_RotateSigningKeyRequest) throws -> Clinic_Staff_V1_SigningKey {
        let key = try SigningKeyStore.rotate(on: db)
        logger.notice("staff signing key rotated", metadata: ["key_id": "\(key.keyID)", "by": "\(context.actor)",
                                                              "request_id": "\(context.requestID)"])
        return StaffMessages.signingKey(key, tokenLifetime: configuration.tokenLifetime)
    }

    func listSigningKeys(_ context: RequestContext, _ request: Clinic_Staff_V1_ListSigningKeysRequest) throws -> Clinic_Staff_V1_ListSigningKeysResponse {
        _ = try SigningKeyStore.current(on: db)
        var response = Clinic_Staff_V1_ListSigningKeysResponse()
        response.keys = try SigningKeyStore.verifiable(tokenLifetime: configuration.tokenLifetime, on: db).map {
            StaffMessages.signingKey($0, tokenLifetime: configuration.tokenLifetime)
        }
        return response
    }

    func getRevocations(_ context: RequestContext, _ request: Clinic_Staff_V1_GetRevocationsRequest) throws -> Clinic_Staff_V1_Revocations {
        try RevocationStore.snapshot(on: db)
    }
}

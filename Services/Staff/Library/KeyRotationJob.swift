import ClinicService
import ClinicStore
import Foundation

/// The background job that keeps a current signing key: makes one on a fresh installation (its first run is at
/// start), replaces it once it is `keyRotationPeriod` old, and forgets signed-out tokens that have expired.
enum KeyRotationJob {
    /// The job for `configuration`.
    static func job(_ configuration: StaffConfiguration) -> BackgroundJob {
        BackgroundJob(name: "signing-key-rotation", interval: configuration.keyRotationCheckInterval) { db, environment in
            switch try SigningKeyStore.rotateIfDue(period: configuration.keyRotationPeriod, now: Date(), on: db) {
            case .first(let key): environment.logger.notice("staff signing key made", metadata: ["key_id": "\(key.keyID)"])
            case .rotated(let key): environment.logger.notice("staff signing key rotated", metadata: ["key_id": "\(key.keyID)", "by": "schedule"])
            case nil: break
            }
            try RevocationStore.pruneExpired(on: db)
        }
    }
}

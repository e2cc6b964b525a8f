import ClinicService
import ClinicStore
import Foundation

/// The background job that keeps a current signing key: makes one on a fresh installation (its first run is at
/// start), replaces it once it is `keyRotationPeriod` old, and forgets signed-out tokens that have expired.
enum KeyRotationJob {
    /// The job for `configuration`.
    static func job(_ configuration: StaffConfiguration) -> BackgroundJob {
        BackgroundJob(name: "signing-key-rotation", interval: configuration.keyRotationCheckInterval) { db, environment in
            if let key = try SigningKeyStore.rotateIfDue(period: configuration.keyRotationPeriod, now: Date(), on: db) {
                environment.logger.notice("staff signing key rotated", metadata: ["key_id": "\(key.keyID)", "by": "schedule"])
            }
            try RevocationStore.pruneExpired(on: db)
        }
    }
}

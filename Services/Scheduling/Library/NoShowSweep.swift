import ClinicProto
import ClinicService
import ClinicStore
import Foundation
import Logging

/// The no-show job: appointments still booked or confirmed `grace` minutes after their start become no-shows,
/// each published once as AppointmentMissed, even with several scheduling instances sweeping at once.
public enum NoShowSweep {
    /// Appointments marked per transaction.
    public static let batchSize = 200

    /// The job ServiceHost runs every `policy.intervalSeconds`.
    public static func job(_ policy: NoShowPolicy) -> BackgroundJob {
        BackgroundJob(name: "no-show", interval: .seconds(policy.intervalSeconds)) { db, environment in
            _ = try run(graceMinutes: policy.graceMinutes, clock: ClinicClock(timeZone: environment.timeZone),
                        logger: environment.logger, on: db)
        }
    }

    /// One sweep, batch by batch, each batch's marks and events in one transaction; returns the ids marked.
    @discardableResult
    public static func run(graceMinutes: Int, clock: ClinicClock, logger: Logger, on db: Connection) throws -> [UUID] {
        let messages = SchedulingMessages(clock: clock)
        var marked: [UUID] = []
        while true {
            let batch = try db.transaction { db -> [UUID] in
                let ids = try AppointmentStore.markNoShows(graceMinutes: graceMinutes, limit: batchSize, on: db)
                let confirmations = try AppointmentStore.confirmations(of: ids, on: db)
                for id in ids {
                    guard let record = try AppointmentStore.find(id, on: db) else { continue }
                    var event = Clinic_Scheduling_V1_AppointmentMissed()
                    event.appointment = messages.appointment(record, confirmations: confirmations[id] ?? [])
                    try SchedulingService.events.append(event, on: db)
                }
                return ids
            }
            marked += batch
            if batch.count < batchSize { break }
        }
        if !marked.isEmpty { logger.info("appointments marked no-show", metadata: ["count": "\(marked.count)"]) }
        return marked
    }
}

/// When an appointment still waiting for its patient counts as missed, and how often the service looks.
public struct NoShowPolicy: Sendable, Equatable {
    /// Minutes after the start without a check-in before the appointment is a no-show (DOMAIN.md §2: 15).
    public var graceMinutes: Int
    /// Seconds between two sweeps of the no-show job.
    public var intervalSeconds: Int

    /// The clinic's defaults: 15 minutes' grace, a sweep every 30 seconds.
    public init(graceMinutes: Int = 15, intervalSeconds: Int = 30) {
        self.graceMinutes = graceMinutes
        self.intervalSeconds = intervalSeconds
    }
}

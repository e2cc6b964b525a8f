import Foundation

/// Reception's clinic-specific settings (DOMAIN.md §1's defaults), each changeable in configuration.
public struct ReceptionPolicy: Sendable, Equatable {
    /// A doctor's typical treatment time when they have none recorded yet, in minutes (default 30).
    public var defaultTreatmentMinutes: Int
    /// When the desk is prompted about a waiting patient (15 and 20 minutes).
    public var prompts: WaitPrompts
    /// Minutes after the appointment's start before a booked patient counts as late (default 0).
    public var lateGraceMinutes: Int
    /// Seconds between two runs of the wait-prompt job (default 15).
    public var promptIntervalSeconds: Int

    /// The defaults, or the values given.
    public init(defaultTreatmentMinutes: Int = 30, prompts: WaitPrompts = WaitPrompts(), lateGraceMinutes: Int = 0,
                promptIntervalSeconds: Int = 15) {
        self.defaultTreatmentMinutes = defaultTreatmentMinutes
        self.prompts = prompts
        self.lateGraceMinutes = lateGraceMinutes
        self.promptIntervalSeconds = promptIntervalSeconds
    }

    /// The late grace in seconds.
    var lateGrace: TimeInterval { TimeInterval(lateGraceMinutes * 60) }
}

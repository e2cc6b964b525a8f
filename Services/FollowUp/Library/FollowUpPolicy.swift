import ClinicValues

/// Follow-up's configurable defaults (DOMAIN.md §4: every number a clinic can change).
public struct FollowUpPolicy: Sendable {
    /// When the day's open tasks are checked and published (16:00).
    public var cutoffTime = TimeOfDay(hour: 16, minute: 0)
    /// When the day-before reminder is due (15:00 the day before).
    public var reminderTime = TimeOfDay(hour: 15, minute: 0)
    /// Days from filing to a complaint's reply deadline.
    public var complaintReplyDays = 7
    /// Months from the end of a clinical series to the long-term recall call.
    public var recallMonths = 6
    /// Days after a patient said they would book later on which they are called.
    public var bookingChaseDays = [2, 4, 7]
    /// How long a sender's claim on a message holds when it asks for no lease.
    public var defaultLeaseSeconds = 300
    /// Seconds between runs of the background jobs (the check, the day's end, escalation).
    public var jobIntervalSeconds = 30
    /// The clinic's name and address in patient messages.
    public var clinicName = "ClinicDesk 口腔门诊"
    public var clinicAddress = ""

    /// The defaults.
    public init() {}
}

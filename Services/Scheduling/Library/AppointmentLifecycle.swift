/// Where an appointment stands. The raw value is what the database stores.
public enum AppointmentStatus: String, Sendable, CaseIterable {
    case booked
    case confirmed
    case arrived
    case inTreatment = "in_treatment"
    case completed
    case cancelled
    case rescheduled
    case noShow = "no_show"

    /// Statuses that hold their slot (the exclusion constraints apply to these).
    public static let active: [AppointmentStatus] = [.booked, .confirmed, .arrived, .inTreatment, .completed]

    /// Statuses still waiting for the patient to come in.
    public static let awaitingPatient: [AppointmentStatus] = [.booked, .confirmed]

    /// Whether it holds its slot in the book.
    public var isActive: Bool { Self.active.contains(self) }

    /// How people say it, e.g. "in treatment", "no-show".
    public var spoken: String {
        switch self {
        case .inTreatment: "in treatment"
        case .noShow: "no-show"
        default: rawValue
        }
    }
}

/// Something that happens to an appointment.
public enum AppointmentEvent: Sendable, Equatable {
    /// The patient confirmed they will come.
    case confirm
    /// The patient arrived at the desk; `sameClinicDay` tells whether it is still the appointment's clinic day.
    case arrive(sameClinicDay: Bool)
    /// The doctor starts the treatment.
    case startTreatment
    /// The treatment is done.
    case complete
    /// The appointment is called off.
    case cancel
    /// The appointment is moved to another time, doctor or chair.
    case reschedule
    /// The patient did not come.
    case markNoShow

    /// What the action is called in a message, e.g. "marked arrived".
    var spoken: String {
        switch self {
        case .confirm: "confirmed"
        case .arrive: "marked arrived"
        case .startTreatment: "started"
        case .complete: "completed"
        case .cancel: "cancelled"
        case .reschedule: "rescheduled"
        case .markNoShow: "marked a no-show"
        }
    }
}

/// An event the appointment's current status does not allow.
public struct IllegalTransition: Error, Sendable, Equatable, CustomStringConvertible {
    /// The status the appointment is in.
    public let current: AppointmentStatus
    /// What was attempted.
    public let event: AppointmentEvent

    /// E.g. "the appointment is completed; it cannot be cancelled".
    public var description: String {
        if case .arrive(sameClinicDay: false) = event, current == .noShow {
            return "the appointment is a no-show from an earlier day; it cannot be marked arrived (book a new one)"
        }
        return "the appointment is \(current.spoken); it cannot be \(event.spoken)"
    }
}

/// The appointment state machine (DOMAIN.md §2): booked → confirmed → arrived → in treatment → completed;
/// booked/confirmed → cancelled, rescheduled or no-show; a no-show may still arrive late the same clinic day.
public enum AppointmentLifecycle {
    /// The status after `event`, or the illegal transition.
    public static func next(after event: AppointmentEvent, from current: AppointmentStatus) -> Result<AppointmentStatus, IllegalTransition> {
        let next: AppointmentStatus? = switch (current, event) {
        case (.booked, .confirm), (.confirmed, .confirm): .confirmed
        case (.booked, .arrive), (.confirmed, .arrive): .arrived
        case (.noShow, .arrive(sameClinicDay: true)): .arrived
        case (.arrived, .startTreatment): .inTreatment
        case (.inTreatment, .complete): .completed
        case (.booked, .cancel), (.confirmed, .cancel): .cancelled
        case (.booked, .reschedule), (.confirmed, .reschedule): .rescheduled
        case (.booked, .markNoShow), (.confirmed, .markNoShow): .noShow
        default: nil
        }
        guard let next else { return .failure(IllegalTransition(current: current, event: event)) }
        return .success(next)
    }
}

import ClinicProto

/// The words follow-up stores for the contract's enums: a treatment kind, a team, who calls, a task's kind and
/// status. One table per enum, read both ways, so the SQL and the contract never drift apart.
enum StoredNames {
    /// Treatment kinds as stored (`extraction`, `implant_crown`, …).
    static let treatmentKinds: [(Clinic_Reception_V1_TreatmentKind, String)] = [
        (.extraction, "extraction"), (.filling, "filling"), (.rootCanalInProgress, "root_canal_in_progress"),
        (.rootCanalObturated, "root_canal_obturated"), (.crownBridgeDenture, "crown_bridge_denture"),
        (.cleaning, "cleaning"), (.periodontal, "periodontal"), (.implantSurgery, "implant_surgery"),
        (.implantCrown, "implant_crown"), (.orthodonticSurgicalStep, "orthodontic_surgical_step"),
        (.orthodonticRetainer, "orthodontic_retainer"), (.other, "other"),
    ]

    /// Task kinds as stored.
    static let taskKinds: [(Clinic_Followup_V1_TaskKind, String)] = [
        (.clinical, "clinical"), (.checkupInvitation, "checkup_invitation"), (.recall, "recall"),
        (.appointmentReminder, "appointment_reminder"), (.noShowCall, "no_show_call"), (.bookingChase, "booking_chase"),
        (.leftUnseenCallBack, "left_unseen_call_back"), (.consultationCallBack, "consultation_call_back"),
        (.doctorCallBack, "doctor_call_back"), (.discomfortCall, "discomfort_call"), (.messageFailed, "message_failed"),
        (.manual, "manual"),
    ]

    /// Task statuses as stored.
    static let taskStatuses: [(Clinic_Followup_V1_TaskStatus, String)] = [
        (.open, "open"), (.done, "done"), (.notNeeded, "not_needed"), (.cancelled, "cancelled"),
    ]

    /// Teams as stored.
    static let teams: [(Clinic_Followup_V1_Team, String)] = [
        (.clinical, "clinical"), (.customerService, "customer_service"), (.consultants, "consultants"),
    ]

    /// Callers as stored.
    static let callers: [(Clinic_Followup_V1_Caller, String)] = [
        (.treatingDoctor, "treating_doctor"), (.customerService, "customer_service"),
    ]

    /// Offset units as stored.
    static let units: [(Clinic_Followup_V1_OffsetUnit, String)] = [(.hours, "hours"), (.days, "days"), (.months, "months")]

    /// Call channels as stored.
    static let channels: [(Clinic_Followup_V1_Channel, String)] = [
        (.phone, "phone"), (.sms, "sms"), (.wechat, "wechat"), (.email, "email"), (.inPerson, "in_person"),
    ]

    /// Conditions as stored.
    static let conditions: [(Clinic_Followup_V1_Condition, String)] = [
        (.well, "well"), (.pain, "pain"), (.swelling, "swelling"), (.bleeding, "bleeding"),
        (.looseFilling, "loose_filling"), (.sensitivity, "sensitivity"), (.other, "other"),
    ]

    /// Satisfaction grades as stored (A–D).
    static let satisfactions: [(Clinic_Followup_V1_Satisfaction, String)] = [
        (.aUnsatisfied, "A"), (.bAverage, "B"), (.cSatisfied, "C"), (.dVerySatisfied, "D"),
    ]

    /// Complaint categories as stored.
    static let complaintCategories: [(Clinic_Followup_V1_ComplaintCategory, String)] = [
        (.medical, "medical"), (.serviceAttitude, "service_attitude"), (.priceBilling, "price_billing"),
        (.environment, "environment"), (.other, "other"),
    ]

    /// Complaint severities as stored.
    static let severities: [(Clinic_Followup_V1_ComplaintSeverity, String)] = [(.low, "low"), (.medium, "medium"), (.high, "high")]

    /// Complaint statuses as stored.
    static let complaintStatuses: [(Clinic_Followup_V1_ComplaintStatus, String)] = [
        (.open, "open"), (.investigating, "investigating"), (.replied, "replied"), (.closed, "closed"),
    ]

    /// Message channels as stored.
    static let messageChannels: [(Clinic_Followup_V1_MessageChannel, String)] = [(.sms, "sms"), (.wechat, "wechat")]

    /// Message statuses as stored.
    static let messageStatuses: [(Clinic_Followup_V1_MessageStatus, String)] = [
        (.queued, "queued"), (.claimed, "claimed"), (.sent, "sent"), (.delivered, "delivered"), (.failed, "failed"),
        (.cancelled, "cancelled"),
    ]

    /// The stored word for `value`, nil for an unspecified or unknown one.
    static func name<Value: Equatable>(_ value: Value, in table: [(Value, String)]) -> String? {
        table.first { $0.0 == value }?.1
    }

    /// The value a stored word stands for, nil when unknown.
    static func value<Value>(_ name: String?, in table: [(Value, String)]) -> Value? {
        guard let name else { return nil }
        return table.first { $0.1 == name }?.0
    }
}

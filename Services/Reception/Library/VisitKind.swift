import ClinicProto

/// What a visit is for (DOMAIN.md §1). The raw value is what the database stores.
public enum VisitKind: String, Sendable, CaseIterable {
    case first
    case `return`
    case consultation
    case checkup
    case freeCheck = "free_check"
    case orthodontic
    case emergency

    /// The kind a message names, nil for unspecified or unknown.
    init?(_ message: Clinic_Reception_V1_VisitKind) {
        switch message {
        case .first: self = .first
        case .return: self = .return
        case .consultation: self = .consultation
        case .checkup: self = .checkup
        case .freeCheck: self = .freeCheck
        case .orthodontic: self = .orthodontic
        case .emergency: self = .emergency
        case .unspecified, .UNRECOGNIZED: return nil
        }
    }

    /// The kind as messages carry it.
    var message: Clinic_Reception_V1_VisitKind {
        switch self {
        case .first: .first
        case .return: .return
        case .consultation: .consultation
        case .checkup: .checkup
        case .freeCheck: .freeCheck
        case .orthodontic: .orthodontic
        case .emergency: .emergency
        }
    }

    /// Whether the visit produces no charge (a free check).
    var isChargeless: Bool { self == .freeCheck }
}

/// A kind of treatment (DOMAIN.md §4), with its stage where the follow-up depends on it. The raw value is what the
/// database stores.
public enum TreatmentKind: String, Sendable, CaseIterable {
    case extraction
    case filling
    case rootCanalInProgress = "root_canal_in_progress"
    case rootCanalObturated = "root_canal_obturated"
    case crownBridgeDenture = "crown_bridge_denture"
    case cleaning
    case periodontal
    case implantSurgery = "implant_surgery"
    case implantCrown = "implant_crown"
    case orthodonticSurgicalStep = "orthodontic_surgical_step"
    case orthodonticRetainer = "orthodontic_retainer"
    case other

    /// The treatment without its stage: stages of one treatment are the same treatment for the first-visit rule.
    public var family: String {
        switch self {
        case .rootCanalInProgress, .rootCanalObturated: "root_canal"
        case .implantSurgery, .implantCrown: "implant"
        case .orthodonticSurgicalStep, .orthodonticRetainer: "orthodontic"
        default: rawValue
        }
    }

    /// The kind a message names, nil for unspecified or unknown.
    init?(_ message: Clinic_Reception_V1_TreatmentKind) {
        switch message {
        case .extraction: self = .extraction
        case .filling: self = .filling
        case .rootCanalInProgress: self = .rootCanalInProgress
        case .rootCanalObturated: self = .rootCanalObturated
        case .crownBridgeDenture: self = .crownBridgeDenture
        case .cleaning: self = .cleaning
        case .periodontal: self = .periodontal
        case .implantSurgery: self = .implantSurgery
        case .implantCrown: self = .implantCrown
        case .orthodonticSurgicalStep: self = .orthodonticSurgicalStep
        case .orthodonticRetainer: self = .orthodonticRetainer
        case .other: self = .other
        case .unspecified, .UNRECOGNIZED: return nil
        }
    }

    /// The kind as messages carry it.
    var message: Clinic_Reception_V1_TreatmentKind {
        switch self {
        case .extraction: .extraction
        case .filling: .filling
        case .rootCanalInProgress: .rootCanalInProgress
        case .rootCanalObturated: .rootCanalObturated
        case .crownBridgeDenture: .crownBridgeDenture
        case .cleaning: .cleaning
        case .periodontal: .periodontal
        case .implantSurgery: .implantSurgery
        case .implantCrown: .implantCrown
        case .orthodonticSurgicalStep: .orthodonticSurgicalStep
        case .orthodonticRetainer: .orthodonticRetainer
        case .other: .other
        }
    }
}

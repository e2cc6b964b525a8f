import ClinicService
import Foundation

/// A stored patient as reception's tables hold it.
public struct PatientRecord: Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var gender: Int
    public var birthDate: ClinicDate
    public var phone: String
    public var nationalID: String?
    public var address: String
    public var allergies: [String]
    public var medicalHistory: [String]
    public var contraindications: String
    public var sourceChannel: Int
    public var referrer: String
    public var preferredDoctorID: String
    public var preferredDoctorGender: Int
    public var consultant: String
    public var vip: Bool
    public var notes: String
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int64
}

/// A patient as lists show it: no medical fields, phone masked.
public struct PatientListing: Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var gender: Int
    public var birthDate: ClinicDate
    public var phoneMasked: String
    public var vip: Bool
}

/// One changed contact field, as the history keeps it.
public struct ContactChangeRecord: Sendable, Equatable {
    public var field: String
    public var oldValue: String
    public var newValue: String
    public var changedBy: String
    public var reason: String
    public var changedAt: Date
}

/// The contact fields that can change after registration, and why.
public struct ContactUpdate: Sendable {
    /// New phone, or nil to keep the current one.
    public var phone: MobileNumber?
    /// New address, or nil to keep the current one.
    public var address: String?
    /// Why the change is made.
    public var reason: String
    /// When set, the change applies only to this version of the record.
    public var expectedVersion: Int64?
    /// Who makes the change.
    public var changedBy: String

    /// The field-by-field changes this update makes to `record` (only the fields whose value differs).
    public func changes(to record: PatientRecord) -> [(field: String, old: String, new: String)] {
        var result: [(field: String, old: String, new: String)] = []
        if let phone, phone.digits != record.phone { result.append(("phone", record.phone, phone.digits)) }
        if let address, address != record.address { result.append(("address", record.address, address)) }
        return result
    }
}

/// One entry of a patient's access log.
struct AccessLogEntry: Sendable, Equatable {
    var accessedBy: String
    /// Comma-separated role names.
    var roles: String
    var reason: String
    var accessedAt: Date
}

import ClinicService
import Foundation

/// The details of a new patient as typed at the desk, before validation.
public struct PatientDraft: Sendable {
    public var name: String
    public var birthDate: String
    public var phone: String
    public var nationalID: String
    public var allergies: [String]
    public var medicalHistory: [String]
    public var notes: String

    /// A draft with the fields validation looks at.
    public init(name: String, birthDate: String, phone: String, nationalID: String = "",
                allergies: [String] = [], medicalHistory: [String] = [], notes: String = "") {
        self.name = name
        self.birthDate = birthDate
        self.phone = phone
        self.nationalID = nationalID
        self.allergies = allergies
        self.medicalHistory = medicalHistory
        self.notes = notes
    }
}

/// A draft that passed every rule: normalised name, parsed phone and birth date.
public struct ValidPatient: Sendable {
    public let name: String
    public let birthDate: ClinicDate
    public let phone: MobileNumber
    public let nationalID: String?
}

/// The desk's rules for a patient record (DOMAIN.md §1) beyond the contract's field rules, which the worker
/// runtime has checked before any handler runs (required fields, lengths, the phone's and the date's shapes).
public enum PatientRules {
    /// Oldest plausible patient, in years.
    public static let maxAgeYears = 130

    /// Normalises a draft and checks it on `today` (clinic time zone): a birth date not in the future nor beyond
    /// `maxAgeYears`, a national ID whose check character and birth date hold; all violations at once, or the
    /// valid patient.
    public static func validate(_ draft: PatientDraft, today: ClinicDate) -> Result<ValidPatient, ViolationList> {
        var violations: [Violation] = []
        // The contract's shapes are parsed into values; a draft that skipped the contract is still refused.
        let phone = MobileNumber(draft.phone)
        if phone == nil { violations.append(Violation("phone", MobileNumber.expectation)) }
        let birth = ClinicDate(iso: draft.birthDate)
        if let birth {
            if birth > today {
                violations.append(Violation("birthDate", "must not be in the future"))
            } else if today.year - birth.year > maxAgeYears {
                violations.append(Violation("birthDate", "must be within the last \(maxAgeYears) years"))
            }
        } else {
            violations.append(Violation("birthDate", "must be a date YYYY-MM-DD"))
        }

        var nationalID: String?
        let rawID = draft.nationalID.trimmingWhitespace().uppercased()
        if !rawID.isEmpty {
            if let id = NationalID(rawID) {
                nationalID = id.value
                if let birth, id.birthDate != birth {
                    violations.append(Violation("nationalId", "does not match the birth date"))
                }
            } else {
                violations.append(Violation("nationalId", "must be an 18-character resident ID with a valid check digit"))
            }
        }

        guard violations.isEmpty, let phone, let birth else { return .failure(ViolationList(violations)) }
        return .success(ValidPatient(name: draft.name.trimmingWhitespace(), birthDate: birth, phone: phone, nationalID: nationalID))
    }
}

/// A PRC resident identity number (GB 11643-1999): 17 digits and a check character.
public struct NationalID: Sendable, Hashable {
    /// The 18 characters, check character upper-case.
    public let value: String
    /// The birth date the number encodes.
    public let birthDate: ClinicDate

    private static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    private static let checkCharacters = Array("10X98765432")

    /// Parses and checks an ID; nil when its shape, birth date or check character is wrong.
    public init?(_ text: String) {
        let chars = Array(text.uppercased())
        guard chars.count == 18, chars[0..<17].allSatisfy(\.isASCIIDigit),
              chars[17].isASCIIDigit || chars[17] == "X" else { return nil }
        let sum = zip(chars[0..<17], Self.weights).reduce(0) { $0 + ($1.0.wholeNumberValue ?? 0) * $1.1 }
        guard Self.checkCharacters[sum % 11] == chars[17] else { return nil }
        let digits = String(chars[6..<14])
        let iso = "\(digits.prefix(4))-\(digits.dropFirst(4).prefix(2))-\(digits.suffix(2))"
        guard let birth = ClinicDate(iso: iso) else { return nil }
        self.value = String(chars)
        self.birthDate = birth
    }
}

import ClinicBus
import ClinicService
import Foundation

/// The texts follow-up sends patients: each a template with named values, so no message is free text and none can
/// carry a stray phone number into a sender's log.
enum MessageTemplates {
    /// A template: the values it needs and its text with `{name}` placeholders.
    struct Template: Sendable {
        var required: [String]
        var text: String
    }

    /// Every template follow-up knows.
    static let all: [String: Template] = [
        "appointment_confirmation": Template(required: ["name", "time", "doctor"],
                                             text: "【{clinic}】{name}您好，您已预约{time}{doctor}医生的门诊。如需改约请致电诊所。"),
        "appointment_reminder": Template(required: ["name", "time", "doctor"],
                                         text: "【{clinic}】{name}您好，提醒您明天{time}就诊（{doctor}医生），请提前10分钟到达，并携带病历及检查资料。{address}"),
        "follow_up": Template(required: ["name"],
                              text: "【{clinic}】{name}您好，感谢您近日来诊，如有不适请随时联系我们。"),
        "checkup_invitation": Template(required: ["name"],
                                       text: "【{clinic}】{name}您好，距您上次就诊已有一段时间，欢迎预约口腔检查。"),
    ]

    /// Templates staff may queue by hand (the appointment ones are queued from scheduling's events).
    static let queueable: Set<String> = ["follow_up", "checkup_invitation"]

    /// The template's text with `values` filled in; INVALID_ARGUMENT naming every value missing or carrying digits
    /// that look like a phone number.
    static func render(_ name: String, values: [String: String], field: String = "values") throws -> String {
        guard let template = all[name] else {
            throw RPCError.invalidArgument(field: "template", "must be one of: \(all.keys.sorted().joined(separator: ", "))")
        }
        var violations: [Violation] = []
        for key in template.required where (values[key] ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            violations.append(Violation("\(field).\(key)", "is required by the \(name) template"))
        }
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            if value.count > 200 { violations.append(Violation("\(field).\(key)", "must be at most 200 characters")) }
            if containsPhoneLikeDigits(value) {
                violations.append(Violation("\(field).\(key)", "must not carry a phone number (7 or more digits in a row)"))
            }
        }
        if !violations.isEmpty { throw ViolationList(violations).rpcError }
        var text = template.text
        for (key, value) in values { text = text.replacingOccurrences(of: "{\(key)}", with: value) }
        for key in ["clinic", "address"] { text = text.replacingOccurrences(of: "{\(key)}", with: "") }
        return text
    }

    /// Whether `text` holds seven or more digits in a row.
    static func containsPhoneLikeDigits(_ text: String) -> Bool {
        var run = 0
        for character in text.unicodeScalars {
            run = ("0"..."9").contains(character) ? run + 1 : 0
            if run >= 7 { return true }
        }
        return false
    }
}

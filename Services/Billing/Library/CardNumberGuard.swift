/// Keeps bank card numbers out of billing: a run of 12 to 19 digits in free text (digits possibly grouped by single
/// spaces or dashes, as card numbers are written) is taken for a card number and refused, before anything is stored
/// or logged. Longer runs (a WeChat Pay or Alipay transaction number has 28 or more digits) pass.
enum CardNumberGuard {
    /// Digits in a run that make a card number.
    static let cardDigits = 12...19

    /// Whether `text` holds something shaped like a card number.
    static func containsCardNumber(_ text: String) -> Bool {
        var digits = 0
        var separatorPending = false
        for scalar in text.unicodeScalars {
            if ("0"..."9").contains(scalar) {
                digits += 1
                separatorPending = false
            } else if (scalar == " " || scalar == "-") && digits > 0 && !separatorPending {
                separatorPending = true
            } else {
                if cardDigits.contains(digits) { return true }
                digits = 0
                separatorPending = false
            }
        }
        return cardDigits.contains(digits)
    }

    /// The fields (by their JSON names) among `fields` that hold a card number; the values are never repeated.
    static func offending(_ fields: [(name: String, text: String)]) -> [String] {
        fields.filter { containsCardNumber($0.text) }.map(\.name)
    }
}

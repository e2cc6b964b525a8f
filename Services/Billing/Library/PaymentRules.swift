import ClinicService

/// A payment as the cashier entered it, before the rules.
struct PaymentDraft: Sendable {
    var method: PaymentMethod?
    var amountFen: Int64
    var tenderedFen: Int64
    var cardKind: String
    var cardLast4: String
    var reference: String
    var note: String
}

/// A payment that passed the rules, ready to store.
struct ValidPayment: Equatable, Sendable {
    var method: PaymentMethod
    var amountFen: Int64
    var tenderedFen: Int64
    var changeFen: Int64
    var cardKind: String
    var cardLast4: String
    var reference: String
    var note: String
}

/// Each payment method's rules: cash may be tendered with change given; a bank card names its kind and last four
/// digits (never the number); social insurance and the mobile wallets need their reference. No free text may hold
/// a card number. Every broken rule is reported, by field, without echoing the value.
enum PaymentRules {
    /// The payment, or every rule it breaks.
    static func validate(_ draft: PaymentDraft) -> Result<ValidPayment, ViolationList> {
        var violations: [Violation] = []
        // First, so that no later message can carry the text.
        for field in CardNumberGuard.offending([("reference", draft.reference), ("note", draft.note)]) {
            violations.append(Violation(field, "must not contain a bank card number: only the card's last four digits are taken, in cardLast4"))
        }
        guard let method = draft.method else {
            return .failure(ViolationList(violations + [Violation("method", "must be a payment method")]))
        }
        if draft.amountFen <= 0 { violations.append(Violation("amountFen", "must be a positive number of fen")) }
        var tendered: Int64 = 0
        var change: Int64 = 0
        if method == .cash {
            tendered = draft.tenderedFen == 0 ? draft.amountFen : draft.tenderedFen
            if tendered < draft.amountFen {
                violations.append(Violation("tenderedFen", "the cash handed over (\(tendered) fen) is less than the amount (\(draft.amountFen) fen)"))
            }
            change = max(0, tendered - draft.amountFen)
        } else if draft.tenderedFen != 0 {
            violations.append(Violation("tenderedFen", "is for cash payments only"))
        }
        if method == .bankCard {
            if draft.cardKind.isEmpty { violations.append(Violation("cardKind", "a bank card payment needs the card's kind: debit or credit")) }
            if draft.cardLast4.count != 4 || !draft.cardLast4.allSatisfy(\.isASCIIDigit) {
                violations.append(Violation("cardLast4", "a bank card payment needs the card's last four digits"))
            }
        } else {
            if !draft.cardKind.isEmpty { violations.append(Violation("cardKind", "is for bank card payments only")) }
            if !draft.cardLast4.isEmpty { violations.append(Violation("cardLast4", "is for bank card payments only")) }
        }
        let reference = draft.reference.trimmingWhitespace()
        if let needed = method.requiredReference, reference.isEmpty {
            violations.append(Violation("reference", "a \(method.rawValue.replacingOccurrences(of: "_", with: " ")) payment needs \(needed)"))
        }
        guard violations.isEmpty else { return .failure(ViolationList(violations)) }
        return .success(ValidPayment(method: method, amountFen: draft.amountFen, tenderedFen: tendered, changeFen: change,
                                     cardKind: draft.cardKind, cardLast4: draft.cardLast4, reference: reference,
                                     note: draft.note.trimmingWhitespace()))
    }
}

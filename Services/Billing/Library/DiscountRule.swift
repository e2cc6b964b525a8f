/// How much a discount takes off: a percentage in basis points of the bill's lines, or a fixed amount in fen.
/// Exactly one of the two is set. A discount never takes the balance below zero.
struct DiscountRule: Equatable, Sendable {
    var percentBP: Int
    var amountFen: Int64

    /// The rule, or what is wrong with it (exactly one of a percentage or a fixed amount).
    static func validate(percentBP: Int, amountFen: Int64) -> Result<DiscountRule, ViolationText> {
        if percentBP > 0 && amountFen > 0 { return .failure(ViolationText("either percentBp or amountFen, not both")) }
        if percentBP <= 0 && amountFen <= 0 { return .failure(ViolationText("needs percentBp (basis points) or amountFen")) }
        if percentBP > 10_000 { return .failure(ViolationText("percentBp is at most 10000 (100%)")) }
        return .success(DiscountRule(percentBP: percentBP, amountFen: amountFen))
    }

    /// The fen taken off a bill whose lines come to `linesFen`: the percentage rounded half up, or the fixed amount.
    func amount(onLines linesFen: Int64) -> Int64 {
        percentBP > 0 ? (linesFen * Int64(percentBP) + 5_000) / 10_000 : amountFen
    }

    /// Why `amountFen` may not be posted on a bill with these figures, or nil when it may: only an open or partly
    /// paid bill takes a discount, it must take something off, and never more than the balance.
    static func refusal(_ amountFen: Int64, on figures: BillFigures) -> String? {
        guard figures.takesDiscounts else { return "a discount applies only to an open or partly paid bill (this one is \(figures.status.rawValue))" }
        if amountFen <= 0 { return "the discount comes to 0 fen on this bill" }
        if amountFen > figures.balanceFen {
            return "the discount (\(amountFen) fen) would take the balance (\(figures.balanceFen) fen) below zero"
        }
        return nil
    }
}

/// A reason a value was refused, for one field.
struct ViolationText: Error, Equatable, Sendable {
    var text: String

    /// The reason.
    init(_ text: String) { self.text = text }
}

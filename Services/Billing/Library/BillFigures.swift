/// A bill's figures computed from its rows, in Swift: the same rule as the `bill_balances` view, so a test can
/// show the two agree and handlers can reason about a bill before it is stored.
struct BillFigures: Equatable, Sendable {
    /// What a bill line contributes: quantity × unit price − discount; and whether it waits for a code.
    struct Line: Equatable, Sendable {
        var quantity: Int
        var unitPriceFen: Int64
        var discountFen: Int64
        var unresolved: Bool = false
        var resolved: Bool = false

        /// The line's total in fen.
        var totalFen: Int64 { Int64(quantity) * unitPriceFen - discountFen }
    }

    var totalFen: Int64
    var paidFen: Int64
    var balanceFen: Int64
    var unresolvedLines: Int
    var status: BillStatus
    /// Discounts posted on the bill (already taken off the total), and refunds paid out (beside the figures: a
    /// refund does not reopen a bill).
    var discountFen: Int64 = 0
    var refundedFen: Int64 = 0

    /// Total of the lines less the discounts, sum of the payments, their difference, and the status: void when
    /// voided; open before any payment; paid once the payments cover the total; partly paid between.
    init(lines: [Line], discounts: [Int64] = [], payments: [Int64], refunds: [Int64] = [], voided: Bool) {
        discountFen = discounts.reduce(0, +)
        refundedFen = refunds.reduce(0, +)
        totalFen = lines.reduce(0) { $0 + $1.totalFen } - discountFen
        paidFen = payments.reduce(0, +)
        balanceFen = totalFen - paidFen
        unresolvedLines = lines.filter { $0.unresolved && !$0.resolved }.count
        status = voided ? .void : paidFen == 0 ? .open : paidFen >= totalFen ? .paid : .partlyPaid
    }

    /// Figures as stored (read from `bill_balances`).
    init(totalFen: Int64, paidFen: Int64, balanceFen: Int64, unresolvedLines: Int, status: BillStatus, discountFen: Int64 = 0,
         refundedFen: Int64 = 0) {
        self.discountFen = discountFen
        self.refundedFen = refundedFen
        self.totalFen = totalFen
        self.paidFen = paidFen
        self.balanceFen = balanceFen
        self.unresolvedLines = unresolvedLines
        self.status = status
    }
}

extension BillFigures {
    /// Whether a discount may still be posted: only on an open or partly paid bill.
    var takesDiscounts: Bool { status == .open || status == .partlyPaid }
}

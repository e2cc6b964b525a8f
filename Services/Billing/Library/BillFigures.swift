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

    /// Total of the lines, sum of the payments, their difference, and the status: void when voided; open before
    /// any payment; paid once the payments cover the total; partly paid between.
    init(lines: [Line], payments: [Int64], voided: Bool) {
        totalFen = lines.reduce(0) { $0 + $1.totalFen }
        paidFen = payments.reduce(0, +)
        balanceFen = totalFen - paidFen
        unresolvedLines = lines.filter { $0.unresolved && !$0.resolved }.count
        status = voided ? .void : paidFen == 0 ? .open : paidFen >= totalFen ? .paid : .partlyPaid
    }

    /// Figures as stored (read from `bill_balances`).
    init(totalFen: Int64, paidFen: Int64, balanceFen: Int64, unresolvedLines: Int, status: BillStatus) {
        self.totalFen = totalFen
        self.paidFen = paidFen
        self.balanceFen = balanceFen
        self.unresolvedLines = unresolvedLines
        self.status = status
    }
}

import ClinicValues
import Foundation

/// One method's payments and refunds paid out on a day.
struct MethodActivity: Equatable, Sendable {
    var paymentsFen: Int64
    var refundsFen: Int64

    /// What the system expects in the drawer or the channel's settlement: payments less refunds.
    var systemFen: Int64 { paymentsFen - refundsFen }
}

/// A count entered by the cashier: cash counted, or a channel's settlement total.
struct CountRecord: Equatable, Sendable {
    var method: PaymentMethod
    var countedFen: Int64
    var systemFen: Int64
    var note: String
    var countedAt: Date
    var countedBy: String
}

/// Who closed a day, when, with what note.
struct DayCloseRecord: Equatable, Sendable {
    var note: String
    var closedAt: Date
    var closedBy: String
}

/// A day's close sheet (日结): per method the system's figure beside the latest count, and the difference. Pure:
/// built from the day's activity and counts, tested without a database.
struct DailyCloseSheet: Equatable, Sendable {
    /// One method's line.
    struct Line: Equatable, Sendable {
        var method: PaymentMethod
        var activity: MethodActivity
        /// The newest count, and how many were entered.
        var latest: CountRecord?
        var counts: Int

        /// Counted less the system's figure, once counted.
        var differenceFen: Int64? { latest.map { $0.countedFen - activity.systemFen } }
    }

    var date: ClinicDate
    var lines: [Line]
    var close: DayCloseRecord?

    /// Lines for every method with activity or a count, in the methods' order.
    init(date: ClinicDate, activity: [PaymentMethod: MethodActivity], counts: [CountRecord], close: DayCloseRecord?) {
        self.date = date
        self.close = close
        lines = PaymentMethod.allCases.compactMap { method in
            let mine = counts.filter { $0.method == method }
            let done = activity[method]
            guard done != nil || !mine.isEmpty else { return nil }
            return Line(method: method, activity: done ?? MethodActivity(paymentsFen: 0, refundsFen: 0), latest: mine.last, counts: mine.count)
        }
    }

    /// The methods with activity on the day and no count: the day cannot close while there are any.
    var uncounted: [PaymentMethod] {
        lines.filter { $0.latest == nil && ($0.activity.paymentsFen != 0 || $0.activity.refundsFen != 0) }.map(\.method)
    }
}

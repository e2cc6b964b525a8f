import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation

/// The daily close (日结): the system's totals per method beside the counts, then the day closed.
extension BillingHandlers {
    /// GetDailyClose: the day's sheet.
    func getDailyClose(_ context: RequestContext, _ request: Clinic_Billing_V1_GetDailyCloseRequest) throws -> Clinic_Billing_V1_DailyCloseSheet {
        BillingMessages.sheet(try sheet(of: try CheckedDate.parse(request.date, field: "date"), on: db))
    }

    /// RecordCount: a new count row for one method, with the system's figure and the difference recorded beside it.
    func recordCount(_ context: RequestContext, _ request: Clinic_Billing_V1_RecordCountRequest) throws -> Clinic_Billing_V1_DailyCloseSheet {
        let date = try CheckedDate.parse(request.date, field: "date")
        guard let method = PaymentMethod(request.method) else { throw RPCError.invalidArgument(field: "method", "must be a payment method") }
        let note = try Self.cardFree(request.note, field: "note")
        return try IdempotentWrite.perform(context, on: db) { db in
            if try DailyCloseStore.isClosed(date, on: db) { throw RPCError.failedPrecondition("the day \(date) is closed: its counts are final") }
            let system = try DailyCloseStore.systemTotals(in: clock.span(of: date), on: db)[method]?.systemFen ?? 0
            let count = CountRecord(method: method, countedFen: request.countedFen, systemFen: system, note: note,
                                    countedAt: Date().inStoredPrecision, countedBy: context.actor)
            try DailyCloseStore.insert(count, date: date, on: db)
            logger.info("daily count recorded", metadata: ["date": "\(date)", "method": "\(method.rawValue)",
                                                           "difference_fen": "\(count.countedFen - system)", "by": "\(context.actor)"])
            return BillingMessages.sheet(try sheet(of: date, on: db))
        }
    }

    /// CloseDay: refused while a method with activity has no count (the refusal names them); then the day is closed
    /// under its exclusive lock and DayClosed published.
    func closeDay(_ context: RequestContext, _ request: Clinic_Billing_V1_CloseDayRequest) throws -> Clinic_Billing_V1_DailyCloseSheet {
        let date = try CheckedDate.parse(request.date, field: "date")
        let note = try Self.cardFree(request.note, field: "note")
        return try IdempotentWrite.perform(context, on: db) { db in
            try DailyCloseStore.lockForClose(date, on: db)
            if try DailyCloseStore.isClosed(date, on: db) { throw RPCError.failedPrecondition("the day \(date) is already closed") }
            let open = try sheet(of: date, on: db)
            let missing = open.uncounted
            guard missing.isEmpty else {
                throw RPCError.failedPrecondition("the day \(date) cannot close: no count for \(missing.map(\.rawValue).joined(separator: ", "))")
            }
            let close = DayCloseRecord(note: note, closedAt: Date().inStoredPrecision, closedBy: context.actor)
            guard try DailyCloseStore.recordClose(date, close, on: db) else { throw RPCError.failedPrecondition("the day \(date) is already closed") }
            var closed = open
            closed.close = close
            let message = BillingMessages.sheet(closed)
            try BillingEvents.dayClosed(message, on: db)
            logger.info("day closed", metadata: ["date": "\(date)", "by": "\(context.actor)"])
            return message
        }
    }

    /// The day's sheet from its activity (in the clinic's time zone), counts and close.
    func sheet(of date: ClinicDate, on db: Connection) throws -> DailyCloseSheet {
        DailyCloseSheet(date: date, activity: try DailyCloseStore.systemTotals(in: clock.span(of: date), on: db),
                        counts: try DailyCloseStore.counts(of: date, on: db), close: try DailyCloseStore.close(of: date, on: db))
    }
}

import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation
import Logging

/// What billing does with reception's events: a visit's completed treatments become its bill, each fee code a line
/// priced at the schedule in force on the treatment's clinic date. A code the schedule does not price that day is
/// kept as an unresolved line for the cashier, never dropped. The unique index on the visit makes one bill of the
/// same event delivered twice.
enum TreatmentBilling {
    /// Reception as an event source.
    static let source = EventSource(publisher: "reception", topicPrefix: "clinic.reception.", replay: Clinic_Reception_V1_Events.replay)

    /// The consumer's handlers (built on the consumer's thread).
    static func handlers(environment: ServiceEnvironment) -> EventHandlers {
        let logger = environment.logger
        let clock = ClinicClock(timeZone: environment.timeZone)
        let handlers = EventHandlers()
        handlers.on(Clinic_Reception_V1_TreatmentCompleted.self) { db, header, event in
            try treatmentCompleted(event, seq: header.seq, clock: clock, logger: logger, on: db)
        }
        return handlers
    }

    /// Makes the visit's bill in the consumer's transaction. A visit with no fee codes has nothing to bill; an event
    /// with an unreadable visit or patient id is logged and skipped: it never blocks the stream.
    static func treatmentCompleted(_ event: Clinic_Reception_V1_TreatmentCompleted, seq: UInt64, clock: ClinicClock,
                                   logger: Logger, on db: Connection) throws {
        let codes = event.treatments.flatMap(\.feeCodes).map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        guard !codes.isEmpty else { return }
        guard let visitID = UUIDText.parse(event.visitID), let patientID = UUIDText.parse(event.patientID) else {
            logger.warning("treatment completed with unreadable ids skipped", metadata: ["seq": "\(seq)"])
            return
        }
        let completedAt = event.hasCompletedAt ? event.completedAt.date.inStoredPrecision : Date().inStoredPrecision
        let serviceDate = clock.date(of: completedAt)
        let priced = try FeeStore.priced(codes, on: serviceDate, on: db)
        let lines = codes.map { code in priced[code].map { NewBillLine.priced($0, quantity: 1) } ?? .unresolved(code: code) }
        let bill = NewBill(id: UUID.random(), patientID: patientID, patientName: event.patientName, visitID: visitID,
                           doctorName: event.doctorName, serviceDate: serviceDate, lines: lines, createdAt: completedAt,
                           createdBy: "system:reception")
        guard try BillStore.insert(bill, on: db) else {
            logger.info("visit already billed", metadata: ["visit_id": "\(visitID.lowercasedText)", "seq": "\(seq)"])
            return
        }
        let figures = BillFigures(lines: lines.map { BillFigures.Line(quantity: $0.quantity, unitPriceFen: $0.unitPriceFen,
                                                                      discountFen: $0.discountFen, unresolved: $0.unresolved) },
                                  payments: [], voided: false)
        try BillingEvents.billCreated(bill, figures: figures, on: db)
        logger.info("visit billed", metadata: ["visit_id": "\(visitID.lowercasedText)", "bill_id": "\(bill.id.lowercasedText)",
                                               "lines": "\(lines.count)", "unresolved": "\(figures.unresolvedLines)"])
    }
}

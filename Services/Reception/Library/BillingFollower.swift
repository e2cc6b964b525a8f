import ClinicProto
import ClinicService
import ClinicStore
import Foundation
import Logging

/// What reception does with billing's events: a bill paid in full marks its visit paid.
enum BillingFollower {
    /// Billing as an event source.
    static let source = EventSource(publisher: "billing", topicPrefix: "clinic.billing.", replay: Clinic_Billing_V1_Events.replay)

    /// The consumer's handlers (built on the consumer's thread).
    static func handlers(environment: ServiceEnvironment) -> EventHandlers {
        let logger = environment.logger
        let handlers = EventHandlers()
        handlers.on(Clinic_Billing_V1_BillPaid.self) { db, header, event in
            try billPaid(event, seq: header.seq, logger: logger, on: db)
        }
        return handlers
    }

    /// Marks the bill's visit paid, in the consumer's transaction. A bill for no visit, an unknown visit or one not
    /// awaiting payment is logged and skipped: it never blocks the stream.
    static func billPaid(_ event: Clinic_Billing_V1_BillPaid, seq: UInt64, logger: Logger, on db: Connection) throws {
        guard !event.visitID.isEmpty else { return }
        guard let id = UUIDText.parse(event.visitID), let visit = try VisitStore.find(id, forUpdate: true, on: db) else {
            logger.warning("bill paid for an unknown visit skipped", metadata: ["bill_id": "\(event.billID)", "seq": "\(seq)"])
            return
        }
        switch VisitLifecycle.next(after: .pay, from: visit.status) {
        case .failure(let illegal):
            logger.warning("bill paid skipped", metadata: ["visit_id": "\(visit.id.lowercasedText)", "bill_id": "\(event.billID)",
                                                           "reason": "\(illegal)"])
        case .success(let next):
            let paidAt = event.hasPaidAt ? event.paidAt.date : Date()
            try VisitStore.advance(id, to: next, at: paidAt, billID: event.billID, on: db)
            try VisitStore.addStep(id, next, at: paidAt, by: "system:billing", note: "bill \(event.billID)", on: db)
            logger.info("visit paid", metadata: ["visit_id": "\(visit.id.lowercasedText)", "bill_id": "\(event.billID)"])
        }
    }
}

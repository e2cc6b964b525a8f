import ClinicValues
import Foundation

/// A refund as stored: the doctor's request, its steps, and the status they make.
struct RefundRecord: Sendable, Equatable {
    var id: UUID
    var billID: UUID
    var patientID: UUID
    var patientName: String
    var amountFen: Int64
    var reason: String
    var firstVisitDate: ClinicDate
    var billTotalFen: Int64
    var billPaidFen: Int64
    var requestedAt: Date
    var requestedBy: String
    var steps: [RefundStepRecord] = []

    /// The furthest step reached; requested before any.
    var status: RefundStatus {
        for status in [RefundStatus.received, .paid, .rejected, .approved] where steps.contains(where: { $0.step == status }) { return status }
        return .requested
    }
}

/// One step of a refund after its request.
struct RefundStepRecord: Sendable, Equatable {
    var step: RefundStatus
    var note: String
    var method: PaymentMethod?
    var reference: String
    var at: Date
    var by: String
}

/// How much may still be refunded on a bill: what was paid, less the refunds requested and not rejected.
enum RefundLimit {
    /// The fen still refundable; never negative.
    static func refundable(paidFen: Int64, committedFen: Int64) -> Int64 { max(0, paidFen - committedFen) }
}

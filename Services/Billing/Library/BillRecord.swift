import ClinicValues
import Foundation

/// A bill as stored, with its lines, payments, void and derived figures.
struct BillRecord: Sendable {
    var id: UUID
    var patientID: UUID
    var patientName: String
    var visitID: UUID?
    var doctorName: String
    var serviceDate: ClinicDate
    var createdAt: Date
    var createdBy: String
    var figures: BillFigures
    var lines: [BillLineRecord] = []
    var payments: [PaymentRecord] = []
    var void: BillVoid?
    /// Discounts posted on the bill, oldest first.
    var discounts: [BillDiscountRecord] = []
    /// A correction points at the bill.
    var corrected = false
}

/// A line of a bill as stored.
struct BillLineRecord: Sendable, Equatable {
    var lineNumber: Int
    var itemCode: String
    var itemName: String
    var category: String
    var quantity: Int
    var unitPriceFen: Int64
    var discountFen: Int64
    var lineTotalFen: Int64
    var unresolved: Bool
    var resolvesLineNumber: Int?
    var resolvedByLineNumber: Int?
    var addedAt: Date
    var addedBy: String
}

/// A line about to be stored: a priced item, or a code the schedule does not know (priced 0, unresolved).
struct NewBillLine: Sendable, Equatable {
    var itemCode: String
    var itemName: String
    var category: String
    var quantity: Int
    var unitPriceFen: Int64
    var discountFen: Int64
    var unresolved: Bool
    var resolvesLineNumber: Int?

    /// A line for `item`, `quantity` times, less `discountFen`.
    static func priced(_ item: PricedItem, quantity: Int, discountFen: Int64 = 0, resolving: Int? = nil) -> NewBillLine {
        NewBillLine(itemCode: item.code, itemName: item.name, category: item.category.rawValue, quantity: quantity,
                    unitPriceFen: item.unitPriceFen, discountFen: discountFen, unresolved: false, resolvesLineNumber: resolving)
    }

    /// A line for a code the schedule did not price on the service date, left for the cashier.
    static func unresolved(code: String) -> NewBillLine {
        NewBillLine(itemCode: code, itemName: "", category: "", quantity: 1, unitPriceFen: 0, discountFen: 0,
                    unresolved: true, resolvesLineNumber: nil)
    }
}

/// A bill about to be stored.
struct NewBill: Sendable {
    var id: UUID
    var patientID: UUID
    var patientName: String
    var visitID: UUID?
    var doctorName: String
    var serviceDate: ClinicDate
    var lines: [NewBillLine]
    var createdAt: Date
    var createdBy: String
}

/// Why and by whom a bill was voided.
struct BillVoid: Sendable, Equatable {
    var reason: String
    var voidedAt: Date
    var voidedBy: String
}

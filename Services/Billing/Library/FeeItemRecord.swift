import ClinicValues
import Foundation

/// A fee item as stored, with its price versions oldest first and, when asked for a day, the price in force then.
struct FeeItemRecord: Sendable {
    var code: String
    var name: String
    var category: FeeCategory
    var createdAt: Date
    var createdBy: String
    var prices: [FeePriceRecord]
    /// The version in force on `priceOn` (nil: none that day).
    var inForce: FeePriceRecord?
    var priceOn: ClinicDate?
}

/// One price version of a fee item.
struct FeePriceRecord: Sendable, Equatable {
    var unitPriceFen: Int64
    var activeFrom: ClinicDate
    var activeTo: ClinicDate?
    var setAt: Date
    var setBy: String
}

/// A fee item priced for a bill: what a line records of it.
struct PricedItem: Sendable, Equatable {
    var code: String
    var name: String
    var category: FeeCategory
    var unitPriceFen: Int64
}

import ClinicService
import ClinicStore
import ClinicValues
import Foundation

/// Billing's SQL for the fee schedule: items and their dated price versions.
enum FeeStore {
    /// Adds an item and its first price version.
    static func insertItem(code: String, name: String, category: FeeCategory, at: Date, by: String, on db: Connection) throws {
        try db.execute("""
            INSERT INTO fee_items (code, name, category, created_at, created_by)
            VALUES (\(code), \(name), \(category.rawValue), \(at), \(by))
            """)
    }

    /// Adds a price version.
    static func insertPrice(code: String, unitPriceFen: Int64, from: ClinicDate, to: ClinicDate?, at: Date, by: String,
                            on db: Connection) throws {
        try db.execute("""
            INSERT INTO fee_prices (code, unit_price_fen, active_from, active_to, set_at, set_by)
            VALUES (\(code), \(unitPriceFen), \(from.description)::date, \(to?.description)::date, \(at), \(by))
            """)
    }

    /// The item with `code` and every price version, with the one in force on `day`.
    static func find(_ code: String, on day: ClinicDate, on db: Connection) throws -> FeeItemRecord? {
        guard let row = try db.query("SELECT code, name, category, created_at, created_by FROM fee_items WHERE code = \(code)").first else {
            return nil
        }
        var item = try record(from: row, prices: try prices(of: code, on: db))
        item.priceOn = day
        item.inForce = try db.query("""
            SELECT unit_price_fen, active_from::text AS active_from, active_to::text AS active_to, set_at, set_by
            FROM fee_prices_on(\(day.description)::date) WHERE code = \(code)
            """).first.map(price(from:))
        return item
    }

    /// Whether the schedule has an item with `code`.
    static func exists(_ code: String, on db: Connection) throws -> Bool {
        try !db.query("SELECT 1 FROM fee_items WHERE code = \(code)").isEmpty
    }

    /// The items priced on `day`, optionally of one category, by code, with the price in force (versions left out).
    static func list(on day: ClinicDate, category: FeeCategory?, limit: Int, offset: Int, on db: Connection) throws -> [FeeItemRecord] {
        try db.query("""
            SELECT i.code, i.name, i.category, i.created_at, i.created_by, p.unit_price_fen,
                   p.active_from::text AS active_from, p.active_to::text AS active_to, p.set_at, p.set_by
            FROM fee_items i JOIN fee_prices_on(\(day.description)::date) p ON p.code = i.code
            WHERE (\(category?.rawValue)::text IS NULL OR i.category = \(category?.rawValue))
            ORDER BY i.code LIMIT \(limit) OFFSET \(offset)
            """).map { row in
            var item = try record(from: row, prices: [])
            item.inForce = try price(from: row)
            item.priceOn = day
            return item
        }
    }

    /// The items priced for `codes` on `day`, by code; codes the schedule does not price that day are absent.
    static func priced(_ codes: [String], on day: ClinicDate, on db: Connection) throws -> [String: PricedItem] {
        var found: [String: PricedItem] = [:]
        for row in try db.query("""
            SELECT i.code, i.name, i.category, p.unit_price_fen
            FROM fee_items i JOIN fee_prices_on(\(day.description)::date) p ON p.code = i.code
            WHERE i.code = ANY(\(Array(Set(codes))))
            """) {
            let item = PricedItem(code: try row.decode("code"), name: try row.decode("name"),
                                  category: FeeCategory(rawValue: try row.decode("category")) ?? .treatment,
                                  unitPriceFen: try row.decode("unit_price_fen"))
            found[item.code] = item
        }
        return found
    }

    /// The name and category of each of `codes` already in the schedule.
    static func items(_ codes: [String], on db: Connection) throws -> [String: (name: String, category: FeeCategory)] {
        var found: [String: (name: String, category: FeeCategory)] = [:]
        for row in try db.query("SELECT code, name, category FROM fee_items WHERE code = ANY(\(codes))") {
            found[try row.decode("code")] = (try row.decode("name"), FeeCategory(rawValue: try row.decode("category")) ?? .treatment)
        }
        return found
    }

    /// Every price version of `code`, oldest first.
    private static func prices(of code: String, on db: Connection) throws -> [FeePriceRecord] {
        try db.query("""
            SELECT unit_price_fen, active_from::text AS active_from, active_to::text AS active_to, set_at, set_by
            FROM fee_prices WHERE code = \(code) ORDER BY active_from, id
            """).map(price(from:))
    }

    /// An item row as a record.
    private static func record(from row: Row, prices: [FeePriceRecord]) throws -> FeeItemRecord {
        FeeItemRecord(code: try row.decode("code"), name: try row.decode("name"),
                      category: FeeCategory(rawValue: try row.decode("category")) ?? .treatment,
                      createdAt: try row.decode("created_at"), createdBy: try row.decode("created_by"),
                      prices: prices, inForce: nil, priceOn: nil)
    }

    /// A price row as a record.
    private static func price(from row: Row) throws -> FeePriceRecord {
        let to: String? = try row.decode("active_to")
        return FeePriceRecord(unitPriceFen: try row.decode("unit_price_fen"),
                              activeFrom: ClinicDate(iso: try row.decode("active_from")) ?? ClinicDate(year: 1970, month: 1, day: 1),
                              activeTo: to.flatMap(ClinicDate.init(iso:)), setAt: try row.decode("set_at"), setBy: try row.decode("set_by"))
    }
}

import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation

/// The fee schedule: items, dated price versions and the CSV import.
extension BillingHandlers {
    /// CreateFeeItem: the item and its first price version, in one transaction; ALREADY_EXISTS for a taken code.
    func createFeeItem(_ context: RequestContext, _ request: Clinic_Billing_V1_CreateFeeItemRequest) throws -> Clinic_Billing_V1_FeeItem {
        guard let category = FeeCategory(request.category) else { throw RPCError.invalidArgument(field: "category", "must be a fee category") }
        let from = try CheckedDate.parse(request.activeFrom, field: "activeFrom")
        let to = try CheckedDate.parseOptional(request.activeTo, field: "activeTo")
        if let to, to < from { throw RPCError.invalidArgument(field: "activeTo", "must not be before activeFrom") }
        let code = request.code.trimmingWhitespace()
        let now = Date().inStoredPrecision
        do {
            return try IdempotentWrite.perform(context, on: db) { db in
                try FeeStore.insertItem(code: code, name: request.name.trimmingWhitespace(), category: category, at: now,
                                        by: context.actor, on: db)
                try FeeStore.insertPrice(code: code, unitPriceFen: request.unitPriceFen, from: from, to: to, at: now,
                                         by: context.actor, on: db)
                logger.info("fee item created", metadata: ["code": "\(code)", "by": "\(context.actor)"])
                return try feeItemMessage(code, on: db)
            }
        } catch let error as StoreError where error.isUniqueViolation {
            throw RPCError.alreadyExists("fee item \(code) already exists: set a new price on it instead")
        }
    }

    /// SetFeePrice: a new price version from a day on; the versions before it stay as they were.
    func setFeePrice(_ context: RequestContext, _ request: Clinic_Billing_V1_SetFeePriceRequest) throws -> Clinic_Billing_V1_FeeItem {
        let from = try CheckedDate.parse(request.activeFrom, field: "activeFrom")
        let to = try CheckedDate.parseOptional(request.activeTo, field: "activeTo")
        if let to, to < from { throw RPCError.invalidArgument(field: "activeTo", "must not be before activeFrom") }
        let code = request.code
        let now = Date().inStoredPrecision
        return try IdempotentWrite.perform(context, on: db) { db in
            guard try FeeStore.exists(code, on: db) else { throw RPCError.notFound("fee item \(code) not found") }
            try FeeStore.insertPrice(code: code, unitPriceFen: request.unitPriceFen, from: from, to: to, at: now, by: context.actor, on: db)
            logger.info("fee price set", metadata: ["code": "\(code)", "from": "\(from)", "by": "\(context.actor)"])
            return try feeItemMessage(code, on: db)
        }
    }

    /// GetFeeItem: the item with every version and today's price.
    func getFeeItem(_ context: RequestContext, _ request: Clinic_Billing_V1_GetFeeItemRequest) throws -> Clinic_Billing_V1_FeeItem {
        try feeItemMessage(request.code, on: db)
    }

    /// ListFeeItems: the items priced on a day (default today), optionally of one category.
    func listFeeItems(_ context: RequestContext, _ request: Clinic_Billing_V1_ListFeeItemsRequest) throws -> Clinic_Billing_V1_ListFeeItemsResponse {
        let day = try CheckedDate.parse(request.onDate, field: "onDate", default: clock.today())
        let page = try Page(request.page)
        let category = FeeCategory(request.category)
        let items = try FeeStore.list(on: day, category: category, limit: page.size + 1, offset: page.offset, on: db)
        var response = Clinic_Billing_V1_ListFeeItemsResponse()
        response.items = items.prefix(page.size).map(BillingMessages.feeItem)
        if items.count > page.size { response.nextPageToken = page.next.token }
        return response
    }

    /// ImportFeeSchedule: every row of the CSV or none, each bad line reported by its number.
    func importFeeSchedule(_ context: RequestContext, _ request: Clinic_Billing_V1_ImportFeeScheduleRequest) throws -> Clinic_Billing_V1_ImportFeeScheduleResponse {
        let rows: [FeeScheduleRow]
        switch FeeScheduleCSV.parse(request.csv) {
        case .success(let parsed): rows = parsed
        case .failure(let problems): throw RPCError.invalidArguments(problems.messages.map { FieldViolation(field: "csv", $0) })
        }
        let now = Date().inStoredPrecision
        return try IdempotentWrite.perform(context, on: db) { db in
            // A known code must keep its name and category: a row that disagrees is a mistake in the file.
            let known = try FeeStore.items(Array(Set(rows.map(\.code))), on: db)
            var firstRow: [String: FeeScheduleRow] = [:]
            var problems: [String] = []
            for row in rows {
                let existing = known[row.code].map { (name: $0.name, category: $0.category) }
                    ?? firstRow[row.code].map { (name: $0.name, category: $0.category) }
                if let existing, existing.name != row.name || existing.category != row.category {
                    problems.append("line \(row.line): \(row.code) is already \(existing.name) (\(existing.category.rawValue)): name and category must match")
                }
                if firstRow[row.code] == nil { firstRow[row.code] = row }
            }
            guard problems.isEmpty else { throw RPCError.invalidArguments(problems.map { FieldViolation(field: "csv", $0) }) }
            var response = Clinic_Billing_V1_ImportFeeScheduleResponse()
            for row in rows {
                if known[row.code] == nil, firstRow[row.code]?.line == row.line {
                    try FeeStore.insertItem(code: row.code, name: row.name, category: row.category, at: now, by: context.actor, on: db)
                    response.itemsCreated += 1
                }
                try FeeStore.insertPrice(code: row.code, unitPriceFen: row.unitPriceFen, from: row.activeFrom, to: row.activeTo,
                                         at: now, by: context.actor, on: db)
                response.pricesSet += 1
            }
            response.rows = Int32(rows.count)
            logger.info("fee schedule imported", metadata: ["rows": "\(rows.count)", "items_created": "\(response.itemsCreated)",
                                                            "by": "\(context.actor)"])
            return response
        }
    }

    /// The item with every version and today's price; NOT_FOUND naming the code.
    func feeItemMessage(_ code: String, on db: Connection) throws -> Clinic_Billing_V1_FeeItem {
        guard let item = try FeeStore.find(code, on: clock.today(), on: db) else { throw RPCError.notFound("fee item \(code) not found") }
        return BillingMessages.feeItem(item)
    }
}

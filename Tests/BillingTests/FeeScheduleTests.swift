@testable import Billing
import ClinicBus
import ClinicProto
import ClinicTestSupport
import Foundation
import Testing

/// The fee schedule: dated price versions and the all-or-nothing CSV import.
@Suite("Fee schedule", .serialized)
struct FeeScheduleTests {
    typealias Fees = Clinic_Billing_V1_FeeSchedule

    /// The unit price of `code` in force on `day` as ListFeeItems shows it (nil: not priced that day).
    func price(_ harness: BillingHarness, _ code: String, on day: String) async throws -> Int64? {
        var request = Clinic_Billing_V1_ListFeeItemsRequest()
        request.onDate = day
        request.page.pageSize = 200
        return try await harness.call(Fees.listFeeItems, request).items.first { $0.code == code }?.unitPriceFen
    }

    @Test func aPriceChangeIsANewVersionAndTheDayDecidesThePrice() async throws {
        let harness = try BillingHarness()
        defer { harness.stop() }
        try await harness.feeItem("FILL-01", name: "树脂充填", fen: 10_000, from: "2026-01-01")
        var change = Clinic_Billing_V1_SetFeePriceRequest()
        change.code = "FILL-01"
        change.unitPriceFen = 12_000
        change.activeFrom = "2026-07-01"
        _ = try await harness.call(Fees.setFeePrice, change, as: [.admin])
        // A March offer, ended on the 31st.
        change.unitPriceFen = 8_000
        change.activeFrom = "2026-03-01"
        change.activeTo = "2026-03-31"
        let item = try await harness.call(Fees.setFeePrice, change, as: [.director])
        #expect(item.prices.map(\.unitPriceFen) == [10_000, 8_000, 12_000])
        #expect(item.prices.map(\.activeFrom) == ["2026-01-01", "2026-03-01", "2026-07-01"])

        #expect(try await price(harness, "FILL-01", on: "2025-12-31") == nil)
        #expect(try await price(harness, "FILL-01", on: "2026-01-01") == 10_000)
        #expect(try await price(harness, "FILL-01", on: "2026-03-15") == 8_000)
        #expect(try await price(harness, "FILL-01", on: "2026-03-31") == 8_000)
        #expect(try await price(harness, "FILL-01", on: "2026-04-01") == 10_000)
        #expect(try await price(harness, "FILL-01", on: "2026-06-30") == 10_000)
        #expect(try await price(harness, "FILL-01", on: "2027-01-01") == 12_000)

        var get = Clinic_Billing_V1_GetFeeItemRequest()
        get.code = "FILL-01"
        let read = try await harness.call(Fees.getFeeItem, get, as: [.doctor])
        #expect(read.prices.count == 3 && read.name == "树脂充填" && read.category == .treatment)
        #expect(read.prices.allSatisfy { !$0.setBy.isEmpty })

        // Only the director and the admin set prices; a taken code and an unknown one are told apart.
        #expect(await harness.failure(Fees.setFeePrice, change, as: [.cashier])?.code == .permissionDenied)
        var duplicate = Clinic_Billing_V1_CreateFeeItemRequest()
        duplicate.code = "FILL-01"
        duplicate.name = "again"
        duplicate.category = .treatment
        duplicate.activeFrom = "2026-01-01"
        #expect(await harness.failure(Fees.createFeeItem, duplicate, as: [.director])?.code == .alreadyExists)
        change.code = "NOPE"
        #expect(await harness.failure(Fees.setFeePrice, change, as: [.director])?.code == .notFound)
        var badCode = duplicate
        badCode.code = "FILL 01"
        #expect(await harness.failure(Fees.createFeeItem, badCode, as: [.director])?.violations.map(\.field) == ["code"])
    }

    @Test func anImportTakesEveryRowOrNoneAndNamesEachBadLine() async throws {
        let harness = try BillingHarness()
        defer { harness.stop() }
        var request = Clinic_Billing_V1_ImportFeeScheduleRequest()
        request.csv = """
            code,name,category,unit_price_fen,active_from,active_to
            FILL-01,树脂充填,treatment,28000,2026-01-01,
            XRAY-01,根尖片,examination,5000,2026-01-01
            BAD-01,坏类别,surgery,100,2026-01-01,
            GEL-01,"凝胶, 含氟",drug,12.5,2026-01-01,
            DATE-01,日期,material,100,2026-13-01,
            FILL-01,树脂充填,treatment,30000,2026-07-01,

            """
        let refused = await harness.failure(Fees.importFeeSchedule, request, as: [.admin])
        #expect(refused?.code == .invalidArgument)
        let problems = refused?.violations ?? []
        #expect(problems.allSatisfy { $0.field == "csv" })
        #expect(problems.map(\.description_p) == [
            "line 4: category must be one of treatment, drug, material, examination",
            "line 5: unit_price_fen must be a whole number of fen",
            "line 6: active_from must be a date YYYY-MM-DD",
        ])
        // Nothing was taken, not even the good rows.
        var get = Clinic_Billing_V1_GetFeeItemRequest()
        get.code = "FILL-01"
        #expect(await harness.failure(Fees.getFeeItem, get)?.code == .notFound)

        request.csv = """
            code,name,category,unit_price_fen,active_from,active_to
            FILL-01,树脂充填,treatment,28000,2026-01-01,
            XRAY-01,根尖片,examination,5000,2026-01-01
            GEL-01,"凝胶, 含氟",drug,1250,2026-01-01,
            FILL-01,树脂充填,treatment,30000,2026-07-01,
            """
        let imported = try await harness.call(Fees.importFeeSchedule, request, as: [.admin])
        #expect(imported.rows == 4 && imported.itemsCreated == 3 && imported.pricesSet == 4)
        #expect(try await price(harness, "FILL-01", on: "2026-06-30") == 28_000)
        #expect(try await price(harness, "FILL-01", on: "2026-07-01") == 30_000)
        get.code = "GEL-01"
        #expect(try await harness.call(Fees.getFeeItem, get).name == "凝胶, 含氟")

        // A known code may not change its name or category through an import.
        request.csv = "code,name,category,unit_price_fen,active_from\nXRAY-01,别的名字,examination,6000,2027-01-01\n"
        let renamed = await harness.failure(Fees.importFeeSchedule, request, as: [.admin])
        #expect(renamed?.violations.first?.description_p.hasPrefix("line 2: XRAY-01 is already") == true)
        #expect(await harness.failure(Fees.importFeeSchedule, request, as: [.cashier])?.code == .permissionDenied)
    }

    @Test func theCSVReaderReportsEveryProblemOfALine() {
        let text = "code,name,category,unit_price_fen,active_from\nbad code,,sweets,-5,yesterday\n"
        guard case .failure(let problems) = FeeScheduleCSV.parse(text) else { Issue.record("accepted"); return }
        #expect(problems.messages.count == 5)
        #expect(problems.messages.allSatisfy { $0.hasPrefix("line 2: ") })
        #expect(FeeScheduleCSV.parse("nope\n") == .failure(.init(["line 1: the header must be `code,name,category,unit_price_fen,active_from,active_to` (active_to optional)"])))
        #expect((try? FeeScheduleCSV.fields(of: "a,\"b, \"\"c\"\"\",d")) == ["a", "b, \"c\"", "d"])
    }
}

import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation
import Logging

/// Billing's rpc handlers for one worker thread: protobuf in, domain rules, SQL, protobuf out.
final class BillingHandlers {
    let db: Connection
    let clock: ClinicClock
    let logger: Logger
    /// The clinic's name, at the head of every printed receipt.
    let clinicName: String

    /// Handlers bound to this thread's own database connection.
    init(db: Connection, clock: ClinicClock, logger: Logger, clinicName: String = BillingService.defaultClinicName) {
        self.db = db
        self.clock = clock
        self.logger = logger
        self.clinicName = clinicName
    }

    /// Every rpc of billing's services, registered on one set of routes.
    func routes() -> WorkerRoutes {
        let routes = WorkerRoutes()
        typealias Fees = Clinic_Billing_V1_FeeSchedule
        typealias Cashier = Clinic_Billing_V1_Cashier
        routes.register(Fees.createFeeItem) { try self.createFeeItem($0, $1) }
        routes.register(Fees.setFeePrice) { try self.setFeePrice($0, $1) }
        routes.register(Fees.getFeeItem) { try self.getFeeItem($0, $1) }
        routes.register(Fees.listFeeItems) { try self.listFeeItems($0, $1) }
        routes.register(Fees.importFeeSchedule) { try self.importFeeSchedule($0, $1) }
        routes.register(Cashier.createBill) { try self.createBill($0, $1) }
        routes.register(Cashier.getBill) { try self.getBill($0, $1) }
        routes.register(Cashier.listBills) { try self.listBills($0, $1) }
        routes.register(Cashier.resolveBillLine) { try self.resolveBillLine($0, $1) }
        routes.register(Cashier.voidBill) { try self.voidBill($0, $1) }
        routes.register(Cashier.recordPayment) { try self.recordPayment($0, $1) }
        routes.register(Cashier.getReceipt) { try self.getReceipt($0, $1) }
        routes.register(Cashier.listReceipts) { try self.listReceipts($0, $1) }
        registerLedgerRoutes(routes)
        routes.register(Clinic_Billing_V1_Printing.printReceipt) { try self.printReceipt($0, $1) }
        typealias Reports = Clinic_Billing_V1_Reports
        routes.register(Reports.getTakingsReport) { try self.getTakingsReport($0, $1) }
        routes.register(Reports.exportTakingsReport) { try self.exportTakingsReport($0, $1) }
        routes.register(Reports.getOutstandingBalances) { try self.getOutstandingBalances($0, $1) }
        routes.register(Reports.exportOutstandingBalances) { try self.exportOutstandingBalances($0, $1) }
        return routes
    }

    /// The Refunds, DailyClose, Corrections and Discounts rpcs.
    private func registerLedgerRoutes(_ routes: WorkerRoutes) {
        typealias Refunds = Clinic_Billing_V1_Refunds
        typealias Close = Clinic_Billing_V1_DailyClose
        typealias Corrections = Clinic_Billing_V1_Corrections
        typealias Discounts = Clinic_Billing_V1_Discounts
        routes.register(Refunds.requestRefund) { try self.requestRefund($0, $1) }
        routes.register(Refunds.approveRefund) { try self.approveRefund($0, $1) }
        routes.register(Refunds.rejectRefund) { try self.rejectRefund($0, $1) }
        routes.register(Refunds.payRefund) { try self.payRefund($0, $1) }
        routes.register(Refunds.recordRefundReceived) { try self.recordRefundReceived($0, $1) }
        routes.register(Refunds.getRefund) { try self.getRefund($0, $1) }
        routes.register(Refunds.listRefunds) { try self.listRefunds($0, $1) }
        routes.register(Refunds.getPatientBilling) { try self.getPatientBilling($0, $1) }
        routes.register(Close.getDailyClose) { try self.getDailyClose($0, $1) }
        routes.register(Close.recordCount) { try self.recordCount($0, $1) }
        routes.register(Close.closeDay) { try self.closeDay($0, $1) }
        routes.register(Close.recordAnomaly) { try self.recordAnomaly($0, $1) }
        routes.register(Close.listAnomalies) { try self.listAnomalies($0, $1) }
        routes.register(Corrections.requestCorrection) { try self.requestCorrection($0, $1) }
        routes.register(Corrections.countersignCorrection) { try self.countersignCorrection($0, $1) }
        routes.register(Corrections.listCorrections) { try self.listCorrections($0, $1) }
        routes.register(Discounts.createDiscountPolicy) { try self.createDiscountPolicy($0, $1) }
        routes.register(Discounts.listDiscountPolicies) { try self.listDiscountPolicies($0, $1) }
        routes.register(Discounts.applyDiscountPolicy) { try self.applyDiscountPolicy($0, $1) }
        routes.register(Discounts.issueVipCard) { try self.issueVipCard($0, $1) }
        routes.register(Discounts.getVipCard) { try self.getVipCard($0, $1) }
        routes.register(Discounts.applyVipCard) { try self.applyVipCard($0, $1) }
        routes.register(Discounts.createCoupon) { try self.createCoupon($0, $1) }
        routes.register(Discounts.redeemCoupon) { try self.redeemCoupon($0, $1) }
    }
}

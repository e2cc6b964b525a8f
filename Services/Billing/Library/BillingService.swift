import ClinicProto
import ClinicService
import ClinicStore
import Foundation

/// The billing service: the fee schedule, bills made from reception's completed treatments or by the cashier,
/// payments and gapless receipts, on an append-only ledger.
public enum BillingService {
    /// Short name: database role, schema and event publisher.
    public static let name = "billing"

    /// Billing's numbered SQL migrations, shipped as resources next to the code.
    public static func migrations() throws -> [Migration] { try Migration.load(bundle: .module, service: name) }

    /// Billing's outbox.
    static let events = EventOutbox(publisher: name)

    /// Everything a process needs to run billing.
    public static func definition() throws -> ServiceDefinition {
        ServiceDefinition(name: name, busService: Clinic_Billing_V1_Cashier.busService,
                          migrations: try migrations(),
                          eventSources: [TreatmentBilling.source],
                          makeEventHandlers: { TreatmentBilling.handlers(environment: $0) },
                          replay: Clinic_Billing_V1_Events.replay) { db, environment in
            BillingHandlers(db: db, clock: ClinicClock(timeZone: environment.timeZone), logger: environment.logger).routes()
        }
    }

    /// Every rpc the contract declares for this service, for coverage checks.
    public static var contractMethods: Set<String> {
        Set(Clinic_Billing_V1_FeeSchedule.allMethods + Clinic_Billing_V1_Cashier.allMethods + Clinic_Billing_V1_Events.allMethods
            + Clinic_Billing_V1_Refunds.allMethods + Clinic_Billing_V1_DailyClose.allMethods + Clinic_Billing_V1_Corrections.allMethods
            + Clinic_Billing_V1_Discounts.allMethods)
    }
}

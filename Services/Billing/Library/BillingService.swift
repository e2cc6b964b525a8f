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

    /// The clinic's name on printed receipts unless configured.
    public static let defaultClinicName = "ClinicDesk 口腔门诊"

    /// Everything a process needs to run billing, printing `clinicName` at the head of receipts.
    public static func definition(clinicName: String = defaultClinicName) throws -> ServiceDefinition {
        ServiceDefinition(name: name, busService: Clinic_Billing_V1_Cashier.busService,
                          migrations: try migrations(),
                          eventSources: [TreatmentBilling.source],
                          makeEventHandlers: { TreatmentBilling.handlers(environment: $0) },
                          // Billing's statements are written so their plans do not depend on the values bound (ids,
                          // `$n IS NULL OR …` filters): each is planned once, not at every payment (the bill view
                          // costs more to plan than to run).
                          planCaching: .generic,
                          replay: Clinic_Billing_V1_Events.replay) { db, environment in
            BillingHandlers(db: db, clock: ClinicClock(timeZone: environment.timeZone), logger: environment.logger,
                            clinicName: clinicName).routes()
        }
    }

    /// Every rpc the contract declares for this service, for coverage checks.
    public static var contractMethods: Set<String> {
        Set(Clinic_Billing_V1_FeeSchedule.allMethods + Clinic_Billing_V1_Cashier.allMethods + Clinic_Billing_V1_Events.allMethods
            + Clinic_Billing_V1_Refunds.allMethods + Clinic_Billing_V1_DailyClose.allMethods + Clinic_Billing_V1_Corrections.allMethods
            + Clinic_Billing_V1_Discounts.allMethods + Clinic_Billing_V1_Printing.allMethods + Clinic_Billing_V1_Reports.allMethods)
    }
}

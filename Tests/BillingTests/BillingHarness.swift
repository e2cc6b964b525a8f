@testable import Billing
import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import Logging
import Synchronization

/// A real broker, a real billing service (4 worker threads) on a fresh schema, a stand-in reception publisher on the
/// real bus (its own schema, outbox, relay and Events/Replay) and a bus client. Everything billing logs is kept, so
/// a test can show what never reaches a log.
final class BillingHarness: Sendable {
    let broker: Broker
    let endpoints: Broker.Endpoints
    let host: ServiceHost
    let reception: ServiceHost
    let client: BusClient
    let databaseURL: String
    let receptionURL: String
    let logs = LogCapture()
    static let logger = Logger(label: "test.billing")

    /// Starts the broker, billing and the stand-in reception.
    init() throws {
        (broker, endpoints) = try TestBroker.start(logger: Self.logger)
        let cluster = try TestDatabase.shared()
        databaseURL = try cluster.makeService(prefix: "billing").url
        receptionURL = try cluster.makeService(prefix: "reception").url
        let settings = ServiceSettings(bus: endpoints.requests, eventsIn: endpoints.eventsIn, eventsOut: endpoints.eventsOut,
                                       databaseURL: databaseURL, workers: 4, heartbeat: .milliseconds(100))
        host = try ServiceHost(try BillingService.definition().trusting(TestStaff.trust), settings: settings,
                               logger: logs.logger(label: "test.billing.service"))
        var receptionSettings = settings
        receptionSettings.databaseURL = receptionURL
        let standIn = ServiceDefinition(name: "reception", busService: "clinic.reception.v1", migrations: [],
                                        replay: Clinic_Reception_V1_Events.replay) { _, _ in WorkerRoutes() }
        reception = try ServiceHost(standIn.trusting(TestStaff.trust), settings: receptionSettings, logger: Self.logger)
        client = try BusClient(endpoint: endpoints.requests, logger: Self.logger)
    }

    /// Calls an rpc as a member of staff holding `roles` (a cashier by default).
    func call<Request, Response>(_ method: Method<Request, Response>, _ request: Request, as roles: [StaffRole] = [.cashier],
                                 idempotencyKey: String = "") async throws -> Response {
        try await client.call(method, request, options: await .staff(roles, timeout: .seconds(20), idempotencyKey: idempotencyKey))
    }

    /// Calls an rpc as the member `member` holding `roles` (another person than the default test member).
    func call<Request, Response>(_ method: Method<Request, Response>, _ request: Request, as roles: [StaffRole], member: String)
        async throws -> Response {
        var caller = Clinic_Bus_V1_Caller()
        caller.system = "tests"
        return try await client.call(method, request, options: CallOptions(timeout: .seconds(20), caller: caller, idempotencyKey: "",
                                                                            token: await TestStaff.token(roles, memberID: member)))
    }

    /// The rpc's error, or nil when it succeeded.
    func failure<Request, Response>(_ method: Method<Request, Response>, _ request: Request, as roles: [StaffRole] = [.cashier],
                                    idempotencyKey: String = "") async -> RPCError? {
        await rpcResult { try await call(method, request, as: roles, idempotencyKey: idempotencyKey) }.error
    }

    /// A direct connection to billing's schema, for checking what was stored.
    func database() throws -> Connection { try Connection(url: databaseURL, logger: Self.logger) }

    /// Publishes `event` as reception would: through the stand-in's outbox, relay and replay.
    func publish(_ event: Clinic_Reception_V1_TreatmentCompleted) throws {
        let db = try Connection(url: receptionURL, logger: Self.logger)
        defer { db.close() }
        try EventOutbox(publisher: "reception").append(event, on: db)
    }

    /// Adds a fee item priced from `from`, as the director.
    @discardableResult
    func feeItem(_ code: String, name: String = "测试项目", category: Clinic_Billing_V1_FeeCategory = .treatment, fen: Int64,
                 from: String = "2020-01-01") async throws -> Clinic_Billing_V1_FeeItem {
        var request = Clinic_Billing_V1_CreateFeeItemRequest()
        request.code = code
        request.name = name
        request.category = category
        request.unitPriceFen = fen
        request.activeFrom = from
        return try await call(Clinic_Billing_V1_FeeSchedule.createFeeItem, request, as: [.director])
    }

    /// A bill made by the cashier for a new patient, one line per code.
    func bill(_ codes: [String], visitID: String = "") async throws -> Clinic_Billing_V1_Bill {
        var request = Clinic_Billing_V1_CreateBillRequest()
        request.patientID = UUID().uuidString.lowercased()
        request.patientName = "测试患者"
        request.visitID = visitID
        request.lines = codes.map { code in
            var line = Clinic_Billing_V1_BillLineRequest()
            line.feeCode = code
            return line
        }
        return try await call(Clinic_Billing_V1_Cashier.createBill, request)
    }

    /// A bill of `codes` paid in full in cash.
    func paidBill(_ codes: [String]) async throws -> Clinic_Billing_V1_Bill {
        let bill = try await self.bill(codes)
        return try await call(Clinic_Billing_V1_Cashier.recordPayment, payment(bill.id, .cash, fen: bill.totalFen), idempotencyKey: newKey()).bill
    }

    /// Stops everything started.
    func stop() {
        client.close()
        reception.stop()
        host.stop()
        broker.stop()
    }
}

/// A payment request.
func payment(_ billID: String, _ method: Clinic_Billing_V1_PaymentMethod, fen: Int64) -> Clinic_Billing_V1_RecordPaymentRequest {
    var request = Clinic_Billing_V1_RecordPaymentRequest()
    request.billID = billID
    request.method = method
    request.amountFen = fen
    return request
}

/// A fresh idempotency key.
func newKey() -> String { UUID().uuidString }

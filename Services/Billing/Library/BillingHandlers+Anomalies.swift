import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation

/// Anomalies at the desk, recorded and escalated to the supervisor.
extension BillingHandlers {
    /// RecordAnomaly: stores it and publishes AnomalyRecorded for the supervisor.
    func recordAnomaly(_ context: RequestContext, _ request: Clinic_Billing_V1_RecordAnomalyRequest) throws -> Clinic_Billing_V1_Anomaly {
        guard let kind = AnomalyKind(request.kind) else { throw RPCError.invalidArgument(field: "kind", "must be an anomaly kind") }
        let billID = try CheckedID.parseOptional(request.billID, field: "billId")
        let description = try Self.cardFree(request.description_p, field: "description")
        guard !description.isEmpty else { throw RPCError.invalidArgument(field: "description", "is required") }
        let anomaly = AnomalyRecord(id: UUID.random(), kind: kind, billID: billID, amountFen: request.amountFen, description: description,
                                    recordedAt: Date().inStoredPrecision, recordedBy: context.actor)
        return try IdempotentWrite.perform(context, on: db) { db in
            if let billID, try BillStore.find(billID, on: db) == nil { throw RPCError.notFound("bill \(billID.lowercasedText) not found") }
            try AnomalyStore.insert(anomaly, on: db)
            try BillingEvents.anomalyRecorded(anomaly, on: db)
            logger.warning("anomaly recorded", metadata: ["anomaly_id": "\(anomaly.id.lowercasedText)", "kind": "\(kind.rawValue)",
                                                          "by": "\(context.actor)"])
            return BillingMessages.anomaly(anomaly)
        }
    }

    /// ListAnomalies: one clinic day's anomalies (default today).
    func listAnomalies(_ context: RequestContext, _ request: Clinic_Billing_V1_ListAnomaliesRequest) throws -> Clinic_Billing_V1_ListAnomaliesResponse {
        let date = try CheckedDate.parse(request.date, field: "date", default: clock.today())
        let page = try Page(request.page)
        let found = try AnomalyStore.list(in: clock.span(of: date), limit: page.size + 1, offset: page.offset, on: db)
        var response = Clinic_Billing_V1_ListAnomaliesResponse()
        response.anomalies = found.prefix(page.size).map(BillingMessages.anomaly)
        if found.count > page.size { response.nextPageToken = page.next.token }
        return response
    }
}

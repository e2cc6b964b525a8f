import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation

/// Corrections (更改内容): a new entry pointing at the one corrected, countersigned by someone else.
extension BillingHandlers {
    /// RequestCorrection: the entry must exist (NOT_FOUND otherwise); allowed on a closed day too.
    func requestCorrection(_ context: RequestContext, _ request: Clinic_Billing_V1_RequestCorrectionRequest) throws -> Clinic_Billing_V1_Correction {
        guard let entry = CorrectedEntry(request.entry) else { throw RPCError.invalidArgument(field: "entry", "must name the kind of entry") }
        let entryID = try CheckedID.parse(request.entryID, field: "entryId")
        let patientID = try CheckedID.parse(request.patientID, field: "patientId")
        let lineNumber = entry == .billLine ? Int(request.lineNumber) : nil
        if entry == .billLine && request.lineNumber < 1 { throw RPCError.invalidArgument(field: "lineNumber", "a bill line correction names the line") }
        let reason = try Self.cardFree(request.reason, field: "reason")
        let wrong = try Self.cardFree(request.whatWasWrong, field: "whatWasWrong")
        let fix = try Self.cardFree(request.fix, field: "fix")
        return try IdempotentWrite.perform(context, on: db) { db in
            guard let billID = try CorrectionStore.bill(of: entry, entryID, lineNumber: lineNumber, on: db) else {
                throw RPCError.notFound("no \(entry.rawValue.replacingOccurrences(of: "_", with: " ")) \(entryID.lowercasedText)\(lineNumber.map { " line \($0)" } ?? "")")
            }
            guard let bill = try BillStore.find(billID, on: db), bill.patientID == patientID else {
                throw RPCError.failedPrecondition("the entry corrected is not on a bill of patient \(patientID.lowercasedText)")
            }
            let correction = CorrectionRecord(id: UUID.random(), entry: entry, entryID: entryID, lineNumber: lineNumber, billID: billID,
                                              patientID: patientID, reason: reason, whatWasWrong: wrong, fix: fix,
                                              adjustmentFen: request.adjustmentFen, requestedAt: Date().inStoredPrecision,
                                              requestedBy: context.actor)
            try CorrectionStore.insert(correction, on: db)
            logger.info("correction requested", metadata: ["correction_id": "\(correction.id.lowercasedText)", "entry": "\(entry.rawValue)",
                                                           "bill_id": "\(billID.lowercasedText)", "by": "\(context.actor)"])
            return BillingMessages.correction(correction)
        }
    }

    /// CountersignCorrection: by a supervisor or the director other than the requester (PERMISSION_DENIED), once.
    func countersignCorrection(_ context: RequestContext, _ request: Clinic_Billing_V1_CountersignCorrectionRequest) throws -> Clinic_Billing_V1_Correction {
        let id = try CheckedID.parse(request.correctionID, field: "correctionId")
        return try IdempotentWrite.perform(context, on: db) { db in
            guard let correction = try CorrectionStore.lock(id, on: db) else { throw RPCError.notFound("correction \(id.lowercasedText) not found") }
            guard correction.requestedBy != context.actor else {
                throw RPCError(.permissionDenied, "a correction is countersigned by someone other than the one who requested it")
            }
            guard try CorrectionStore.countersign(id, at: Date().inStoredPrecision, by: context.actor, on: db) else {
                throw RPCError.failedPrecondition("correction \(id.lowercasedText) is already countersigned")
            }
            logger.info("correction countersigned", metadata: ["correction_id": "\(id.lowercasedText)", "by": "\(context.actor)"])
            guard let signed = try CorrectionStore.list(id: id, billID: nil, patientID: nil, limit: 1, offset: 0, on: db).first else {
                throw RPCError.notFound("correction \(id.lowercasedText) not found")
            }
            return BillingMessages.correction(signed)
        }
    }

    /// ListCorrections: optionally of one bill or patient.
    func listCorrections(_ context: RequestContext, _ request: Clinic_Billing_V1_ListCorrectionsRequest) throws -> Clinic_Billing_V1_ListCorrectionsResponse {
        let page = try Page(request.page)
        let found = try CorrectionStore.list(billID: try CheckedID.parseOptional(request.billID, field: "billId"),
                                             patientID: try CheckedID.parseOptional(request.patientID, field: "patientId"),
                                             limit: page.size + 1, offset: page.offset, on: db)
        var response = Clinic_Billing_V1_ListCorrectionsResponse()
        response.corrections = found.prefix(page.size).map(BillingMessages.correction)
        if found.count > page.size { response.nextPageToken = page.next.token }
        return response
    }
}

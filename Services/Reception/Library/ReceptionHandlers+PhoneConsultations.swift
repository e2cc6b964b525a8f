import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation

/// Phone consultations at the desk.
extension ReceptionHandlers {
    func recordPhoneConsultation(_ context: RequestContext, _ request: Clinic_Reception_V1_RecordPhoneConsultationRequest) throws -> Clinic_Reception_V1_PhoneConsultation {
        guard let phone = MobileNumber(request.phone) else { throw RPCError.invalidArgument(field: "phone", MobileNumber.expectation) }
        let patientID = try CheckedID.parseOptional(request.patientID, field: "patientId")
        let record = PhoneConsultationRecord(
            id: UUID.random(), callerName: request.callerName.trimmingWhitespace(), phone: phone.digits, patientID: patientID,
            question: request.question.trimmingWhitespace(), answer: request.answer.trimmingWhitespace(),
            advice: request.advice.trimmingWhitespace(), callBackNeeded: request.callBackNeeded,
            appointmentNeeded: request.appointmentNeeded, recordedBy: context.actor, recordedAt: Date().inStoredPrecision)
        let stored = try IdempotentWrite.perform(context, on: db) { db in
            if let patientID, try !PatientStore.exists(patientID, on: db) {
                throw RPCError.notFound("patient \(patientID.lowercasedText) not found")
            }
            try PhoneConsultationStore.insert(record, on: db)
            try ReceptionEvents.phoneConsultationRecorded(record, on: db)
            return VisitMessages.consultation(record, fullPhone: true)
        }
        logger.info("phone consultation recorded", metadata: ["consultation_id": "\(stored.id)",
                                                               "call_back": "\(record.callBackNeeded)", "appointment": "\(record.appointmentNeeded)"])
        return stored
    }

    func getPhoneConsultation(_ context: RequestContext, _ request: Clinic_Reception_V1_GetPhoneConsultationRequest) throws -> Clinic_Reception_V1_PhoneConsultation {
        let id = try CheckedID.parse(request.consultationID, field: "consultationId")
        guard let record = try PhoneConsultationStore.find(id, on: db) else {
            throw RPCError.notFound("phone consultation \(id.lowercasedText) not found")
        }
        return VisitMessages.consultation(record, fullPhone: true)
    }

    func listPhoneConsultations(_ context: RequestContext, _ request: Clinic_Reception_V1_ListPhoneConsultationsRequest) throws -> Clinic_Reception_V1_ListPhoneConsultationsResponse {
        let date = try CheckedDate.parse(request.date, field: "date", default: calendar.today())
        let page = try Page(request.page)
        let records = try PhoneConsultationStore.list(in: calendar.span(of: date), limit: page.size + 1, offset: page.offset, on: db)
        var response = Clinic_Reception_V1_ListPhoneConsultationsResponse()
        response.consultations = records.prefix(page.size).map { VisitMessages.consultation($0, fullPhone: false) }
        if records.count > page.size { response.nextPageToken = page.next.token }
        return response
    }
}

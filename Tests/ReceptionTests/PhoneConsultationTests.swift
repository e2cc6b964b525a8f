import ClinicBus
import ClinicProto
import ClinicService
import ClinicTestSupport
import Foundation
import Testing
@testable import Reception

/// Phone consultations: recorded with who took them, published for follow-up, listed with phones masked.
@Suite("Phone consultations")
struct PhoneConsultationTests {
    @Test func aConsultationIsRecordedPublishedAndListedMasked() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        var request = Clinic_Reception_V1_RecordPhoneConsultationRequest()
        request.callerName = "李女士"
        request.phone = "138-1111-2222"
        request.question = "洗牙需要预约吗"
        request.answer = "建议先来免费检查"
        request.callBackNeeded = true
        let recorded = try await harness.call(Reception.recordPhoneConsultation, request, as: [.desk])
        #expect(recorded.phone == "13811112222" && recorded.recordedBy == CallOptions.testMemberID && recorded.callBackNeeded)

        let event = try #require(try harness.published(Clinic_Reception_V1_PhoneConsultationRecorded.self).first)
        #expect(event.consultationID == recorded.id && event.callBackNeeded && !event.appointmentNeeded && event.phone == "13811112222")

        let list = try await harness.call(Reception.listPhoneConsultations, Clinic_Reception_V1_ListPhoneConsultationsRequest(), as: [.desk])
        #expect(list.consultations.map(\.id) == [recorded.id])
        #expect(list.consultations.first?.phone == "138****2222")
        var get = Clinic_Reception_V1_GetPhoneConsultationRequest()
        get.consultationID = recorded.id
        #expect(try await harness.call(Reception.getPhoneConsultation, get, as: [.desk]).phone == "13811112222")
        // A cashier may not read the phone log.
        #expect(await harness.failure(Reception.getPhoneConsultation, get, as: [.cashier])?.code == .permissionDenied)
    }

    @Test func badInputNamesEveryField() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        var request = Clinic_Reception_V1_RecordPhoneConsultationRequest()
        request.phone = "12345"
        request.patientID = "x"
        let error = await harness.failure(Reception.recordPhoneConsultation, request, as: [.desk])
        #expect(error?.code == .invalidArgument)
        #expect(Set(error?.violations.map(\.field) ?? []) == ["callerName", "phone", "patientId", "question"])
        #expect(error?.message.contains("12345") == false)
        request = Clinic_Reception_V1_RecordPhoneConsultationRequest()
        request.callerName = "王"
        request.phone = "13800001111"
        request.question = "价格"
        request.patientID = UUID().uuidString
        #expect(await harness.failure(Reception.recordPhoneConsultation, request, as: [.desk])?.code == .notFound)
    }
}

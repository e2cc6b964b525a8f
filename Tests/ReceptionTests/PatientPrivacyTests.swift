import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import Testing
@testable import Reception

@Suite("Patient privacy: who sees the full record, and the access log")
struct PatientPrivacyTests {
    typealias Reception = Clinic_Reception_V1_Reception

    /// A registered patient with every protected field filled, consultant "陈顾问".
    func registered(_ harness: ReceptionHarness) async throws -> Clinic_Reception_V1_Patient {
        var request = newPatient(name: "隐私测试", birthDate: "1988-08-08")
        request.nationalID = "110105198808081237"
        request.allergies = ["青霉素"]
        request.medicalHistory = ["高血压"]
        request.contraindications = "经期不拔牙"
        request.consultant = "陈顾问"
        return try await harness.call(Reception.registerPatient, request)
    }

    func read(_ harness: ReceptionHarness, _ id: String, as roles: [StaffRole], name: String = "测试员工",
              member: String = UUID().uuidString.lowercased(), reason: String = "") async throws -> Clinic_Reception_V1_Patient {
        var get = Clinic_Reception_V1_GetPatientRequest()
        get.patientID = id
        get.reason = reason
        var options = await CallOptions.staff(roles, timeout: .seconds(5))
        options.token = await TestStaff.token(roles, memberID: member, name: name)
        return try await harness.client.call(Reception.getPatient, get, options: options)
    }

    @Test func eachRoleSeesWhatDomainSectionFiveAllows() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let patient = try await registered(harness)
        let masked = MobileNumber.mask(patient.phone)

        let doctor = try await read(harness, patient.id, as: [.doctor])
        #expect(doctor.phone == patient.phone && doctor.nationalID == patient.nationalID)
        #expect(doctor.allergies == ["青霉素"] && doctor.contraindications == "经期不拔牙")
        #expect(doctor.withheld.isEmpty)

        let desk = try await read(harness, patient.id, as: [.desk])
        #expect(desk.phone == patient.phone && desk.nationalID == patient.nationalID)
        #expect(desk.allergies.isEmpty && desk.medicalHistory.isEmpty && desk.contraindications.isEmpty)
        #expect(desk.withheld == ["allergies", "medicalHistory", "contraindications"])

        let cashier = try await read(harness, patient.id, as: [.cashier])
        #expect(cashier.phone == masked && cashier.nationalID.isEmpty && cashier.allergies.isEmpty)
        #expect(cashier.withheld == ["phone", "nationalId", "allergies", "medicalHistory", "contraindications"])
        #expect(cashier.name == patient.name, "the rest of the record is shown")

        let otherConsultant = try await read(harness, patient.id, as: [.consultant], name: "李顾问")
        #expect(otherConsultant.phone == masked)
        let ownConsultant = try await read(harness, patient.id, as: [.consultant], name: "陈顾问")
        #expect(ownConsultant.phone == patient.phone && ownConsultant.nationalID == patient.nationalID)
        #expect(ownConsultant.withheld == ["allergies", "medicalHistory", "contraindications"])
    }

    @Test func onlyReadsThatShowProtectedFieldsAreLoggedAndSupervisorsListThem() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let patient = try await registered(harness)
        let nurse = UUID().uuidString.lowercased()
        _ = try await read(harness, patient.id, as: [.nurse], member: nurse, reason: "换药")
        _ = try await read(harness, patient.id, as: [.cashier], reason: "收费")
        _ = try await read(harness, patient.id, as: [.consultant], name: "李顾问")
        _ = try await read(harness, patient.id, as: [.consultant], name: "陈顾问", reason: "回访")

        var list = Clinic_Reception_V1_ListPatientAccessLogRequest()
        list.patientID = patient.id
        let log = try await harness.client.call(Reception.listPatientAccessLog, list, options: await .staff([.director], timeout: .seconds(5)))
        #expect(log.entries.map(\.reason) == ["回访", "换药"], "newest first; the masked reads are not full-record reads")
        #expect(log.entries.last?.accessedBy == nurse)
        #expect(log.entries.last?.roles == ["nurse"])

        // The desk may not read the log.
        let refused = await rpcResult { try await harness.client.call(Reception.listPatientAccessLog, list, options: await .staff([.desk], timeout: .seconds(5))) }
        #expect(refused.code == .permissionDenied)
        #expect(refused.error?.message.contains("supervisor, director") == true)
    }

    @Test func aConsultantsOwnClientIsLoggedExactlyWhenItIsShown() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        // The record names the consultant with stray spaces: shown as their own client, so logged too.
        var request = newPatient(name: "空格顾问", birthDate: "1991-01-01")
        request.consultant = "  陈顾问 "
        let patient = try await harness.call(Reception.registerPatient, request)
        let shown = try await read(harness, patient.id, as: [.consultant], name: "陈顾问", reason: "回访")
        #expect(shown.phone == patient.phone)
        var list = Clinic_Reception_V1_ListPatientAccessLogRequest()
        list.patientID = patient.id
        let log = try await harness.client.call(Reception.listPatientAccessLog, list, options: await .staff([.director], timeout: .seconds(5)))
        #expect(log.entries.map(\.reason) == ["回访"])
    }

    @Test func aForgedCallerHeaderGainsNothing() async throws {
        let harness = try ReceptionHarness()
        defer { harness.stop() }
        let patient = try await registered(harness)
        var get = Clinic_Reception_V1_GetPatientRequest()
        get.patientID = patient.id
        var caller = Clinic_Bus_V1_Caller()
        caller.subject = "director-1"
        caller.role = "director"
        // No token: the caller as written is not believed.
        let anonymous = await rpcResult { try await harness.client.call(Reception.getPatient, get, options: CallOptions(timeout: .seconds(5), caller: caller)) }
        #expect(anonymous.code == .unauthenticated)
        // A token that is not staff's.
        var forged = CallOptions(timeout: .seconds(5), caller: caller)
        forged.token = "eyJhbGciOiJFZERTQSIsImtpZCI6InRlc3Qtc2lnbmluZy1rZXkifQ.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
        let bad = await rpcResult { try await harness.client.call(Reception.getPatient, get, options: forged) }
        #expect(bad.code == .unauthenticated)
    }

    @Test func privacyRulesAsPureLogic() {
        let nurse = VerifiedCaller(staffID: "n1", roles: [.nurse])
        #expect(PatientPrivacy(caller: nurse, consultant: "").showsMedical)
        let admin = VerifiedCaller(staffID: "a1", roles: [.admin])
        #expect(!PatientPrivacy(caller: admin, consultant: "").revealsAnything)
        let consultant = VerifiedCaller(staffID: "c1", name: "陈顾问", roles: [.consultant])
        #expect(PatientPrivacy(caller: consultant, consultant: " c1 ").showsContact)
        #expect(!PatientPrivacy(caller: consultant, consultant: "").showsContact)
        let system = VerifiedCaller(roles: [.doctor], peer: "imaging")
        #expect(PatientPrivacy(caller: system, consultant: "").showsMedical, "a system granted doctor sees what a doctor sees")
    }
}

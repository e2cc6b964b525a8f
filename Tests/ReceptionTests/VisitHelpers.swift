import ClinicBus
import ClinicProto
import ClinicService
import ClinicTestSupport
import Foundation
import SwiftProtobuf
@testable import Reception

typealias Reception = Clinic_Reception_V1_Reception
typealias SchedulingAPI = Clinic_Scheduling_V1_Scheduling

extension ReceptionHarness {
    /// A doctor (in scheduling) working every day 00:00–23:59, so tests at any hour find them on duty.
    func makeDoctor(name: String = "王医生", gender: Clinic_Common_V1_Gender = .male, working: Bool = true) async throws -> Clinic_Scheduling_V1_Doctor {
        var create = Clinic_Scheduling_V1_CreateDoctorRequest()
        create.name = name
        create.specialty = "general"
        create.gender = gender
        let doctor = try await call(SchedulingAPI.createDoctor, create)
        guard working else { return doctor }
        var roster = Clinic_Scheduling_V1_SetWeeklyRosterRequest()
        roster.doctorID = doctor.id
        roster.days = (1...7).map { weekday in
            var day = Clinic_Scheduling_V1_RosterDay()
            day.weekday = Int32(weekday)
            day.hours.start = "00:00"
            day.hours.end = "23:59"
            return day
        }
        _ = try await call(SchedulingAPI.setWeeklyRoster, roster)
        return doctor
    }

    /// An appointment for `patientID` with `doctorID` starting `minutes` from now (rounded to the minute).
    func book(_ patientID: String, doctor doctorID: String, inMinutes minutes: Int) async throws -> Clinic_Scheduling_V1_Appointment {
        var request = Clinic_Scheduling_V1_BookAppointmentRequest()
        request.patientID = patientID
        request.doctorID = doctorID
        let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 60).rounded(.down) * 60 + Double(minutes) * 60)
        request.startTime = .init(date: start)
        request.durationMinutes = 5
        request.source = .desk
        return try await call(SchedulingAPI.bookAppointment, request)
    }

    /// A registered patient.
    func register(name: String = "测试患者") async throws -> Clinic_Reception_V1_Patient {
        try await call(Reception.registerPatient, newPatient(name: "\(name)\(Int.random(in: 0..<1_000_000))"))
    }

    /// Checks a patient in (a walk-in unless `appointment`), with `configure` filling the rest.
    func checkIn(_ patientID: String, appointment: String = "", idempotencyKey: String = "",
                 _ configure: (inout Clinic_Reception_V1_CheckInRequest) -> Void = { _ in }) async throws -> Clinic_Reception_V1_Visit {
        var request = Clinic_Reception_V1_CheckInRequest()
        request.patientID = patientID
        request.appointmentID = appointment
        configure(&request)
        return try await call(Reception.startVisit, request, idempotencyKey: idempotencyKey)
    }

    /// Puts the visit in `doctorID`'s queue.
    func assign(_ visitID: String, to doctorID: String) async throws -> Clinic_Reception_V1_Visit {
        var request = Clinic_Reception_V1_AssignDoctorRequest()
        request.visitID = visitID
        request.doctorID = doctorID
        return try await call(Reception.assignDoctor, request)
    }

    /// Starts treatment as a doctor.
    func start(_ visitID: String) async throws -> Clinic_Reception_V1_Visit {
        var request = Clinic_Reception_V1_StartTreatmentRequest()
        request.visitID = visitID
        return try await call(Reception.startTreatment, request, as: [.doctor])
    }

    /// Records treatment done as a doctor: a filling of 36 with a fee code, unless `treatments` says otherwise.
    func complete(_ visitID: String, _ treatments: [Clinic_Reception_V1_Treatment] = [filling(36)]) async throws -> Clinic_Reception_V1_Visit {
        var request = Clinic_Reception_V1_CompleteTreatmentRequest()
        request.visitID = visitID
        request.treatments = treatments
        return try await call(Reception.completeTreatment, request, as: [.doctor])
    }

    /// Reception's published events of `type` so far, decoded.
    func published<Event: SwiftProtobuf.Message>(_ type: Event.Type) throws -> [Event] {
        let db = try database()
        defer { db.close() }
        return try db.query("SELECT payload FROM outbox WHERE type = \(Event.protoMessageName) ORDER BY id").map { row in
            try Event(serializedBytes: try row.decode("payload", as: [UInt8].self))
        }
    }
}

/// A filling of one tooth with one fee code.
func filling(_ tooth: Int32, code: String = "FILL-01") -> Clinic_Reception_V1_Treatment {
    var treatment = Clinic_Reception_V1_Treatment()
    treatment.kind = .filling
    treatment.teeth = [tooth]
    treatment.feeCodes = [code]
    treatment.notes = "树脂充填"
    return treatment
}


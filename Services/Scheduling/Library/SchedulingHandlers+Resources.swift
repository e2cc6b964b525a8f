import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import Foundation

/// Doctors and chairs.
extension SchedulingHandlers {
    func createDoctor(_ context: RequestContext, _ request: Clinic_Scheduling_V1_CreateDoctorRequest) throws -> Clinic_Scheduling_V1_Doctor {
        let name = request.name.trimmingWhitespace()
        let doctor = try DoctorStore.insertDoctor(name: name, specialty: request.specialty.trimmingWhitespace(),
                                                  gender: request.gender.rawValue, title: request.title, on: db)
        logger.info("doctor created", metadata: ["doctor_id": "\(doctor.id.lowercasedText)", "request_id": "\(context.requestID)"])
        return messages.doctor(doctor)
    }

    func updateDoctor(_ context: RequestContext, _ request: Clinic_Scheduling_V1_UpdateDoctorRequest) throws -> Clinic_Scheduling_V1_Doctor {
        let id = try CheckedID.parse(request.doctorID, field: "doctorId")
        return try db.transaction { db in
            guard var doctor = try DoctorStore.doctor(id, forUpdate: true, on: db) else {
                throw RPCError.notFound("doctor \(id.lowercasedText) not found")
            }
            let name = request.name.trimmingWhitespace()
            if !name.isEmpty { doctor.name = name }
            if !request.specialty.isEmpty { doctor.specialty = request.specialty.trimmingWhitespace() }
            if request.gender != .unspecified { doctor.gender = request.gender.rawValue }
            if !request.title.isEmpty { doctor.title = request.title }
            if let active = Self.active(request.active) { doctor.active = active }
            return messages.doctor(try DoctorStore.updateDoctor(doctor, on: db))
        }
    }

    func getDoctor(_ context: RequestContext, _ request: Clinic_Scheduling_V1_GetDoctorRequest) throws -> Clinic_Scheduling_V1_Doctor {
        let id = try CheckedID.parse(request.doctorID, field: "doctorId")
        guard let doctor = try DoctorStore.doctor(id, on: db) else { throw RPCError.notFound("doctor \(id.lowercasedText) not found") }
        return messages.doctor(doctor)
    }

    func listDoctors(_ context: RequestContext, _ request: Clinic_Scheduling_V1_ListDoctorsRequest) throws -> Clinic_Scheduling_V1_ListDoctorsResponse {
        let specialty = request.specialty.trimmingWhitespace()
        var response = Clinic_Scheduling_V1_ListDoctorsResponse()
        response.doctors = try DoctorStore.doctors(specialty: specialty.isEmpty ? nil : specialty,
                                                   includeInactive: request.includeInactive, on: db).map(messages.doctor)
        return response
    }

    func createChair(_ context: RequestContext, _ request: Clinic_Scheduling_V1_CreateChairRequest) throws -> Clinic_Scheduling_V1_Chair {
        let name = request.name.trimmingWhitespace()
        return messages.chair(try DoctorStore.insertChair(name: name, room: request.room.trimmingWhitespace(), on: db))
    }

    func updateChair(_ context: RequestContext, _ request: Clinic_Scheduling_V1_UpdateChairRequest) throws -> Clinic_Scheduling_V1_Chair {
        let id = try CheckedID.parse(request.chairID, field: "chairId")
        return try db.transaction { db in
            guard var chair = try DoctorStore.chair(id, on: db) else { throw RPCError.notFound("chair \(id.lowercasedText) not found") }
            let name = request.name.trimmingWhitespace()
            if !name.isEmpty { chair.name = name }
            if !request.room.isEmpty { chair.room = request.room.trimmingWhitespace() }
            if let active = Self.active(request.active) { chair.active = active }
            return messages.chair(try DoctorStore.updateChair(chair, on: db))
        }
    }

    func getChair(_ context: RequestContext, _ request: Clinic_Scheduling_V1_GetChairRequest) throws -> Clinic_Scheduling_V1_Chair {
        let id = try CheckedID.parse(request.chairID, field: "chairId")
        guard let chair = try DoctorStore.chair(id, on: db) else { throw RPCError.notFound("chair \(id.lowercasedText) not found") }
        return messages.chair(chair)
    }

    func listChairs(_ context: RequestContext, _ request: Clinic_Scheduling_V1_ListChairsRequest) throws -> Clinic_Scheduling_V1_ListChairsResponse {
        var response = Clinic_Scheduling_V1_ListChairsResponse()
        response.chairs = try DoctorStore.chairs(includeInactive: request.includeInactive, on: db).map(messages.chair)
        return response
    }

    /// The active flag an update asks for, or nil to keep it.
    static func active(_ change: Clinic_Scheduling_V1_ActiveChange) -> Bool? {
        switch change {
        case .activate: true
        case .deactivate: false
        default: nil
        }
    }
}

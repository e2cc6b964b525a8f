import ClinicBus
import ClinicProto
import ClinicService
import ClinicValues
import Foundation

/// The appointment a patient checks in for, as scheduling describes it.
struct BookedAppointment: Sendable, Equatable {
    var id: UUID
    var patientID: String
    var doctorID: String
    var start: Date
    var status: Clinic_Scheduling_V1_AppointmentStatus
}

/// What reception asks scheduling about doctors and appointments: over the bus through scheduling's own rpcs, on
/// behalf of the member of staff at the desk (their token travels with the call), never from scheduling's tables.
struct SchedulingDirectory {
    let clock: ClinicClock

    /// The appointment `id`; NOT_FOUND when scheduling has none.
    func appointment(_ id: UUID, context: RequestContext) throws -> BookedAppointment {
        var request = Clinic_Scheduling_V1_GetAppointmentRequest()
        request.appointmentID = id.lowercasedText
        let appointment = try context.call(Clinic_Scheduling_V1_Scheduling.getAppointment, request)
        return BookedAppointment(id: id, patientID: appointment.patientID, doctorID: appointment.doctorID,
                                 start: appointment.startTime.date, status: appointment.status)
    }

    /// Scheduling's doctors (active or not) with whether each of `wanted` (nil: every one) works today; everyone
    /// else is listed as not working today. `waiting` gives each doctor's queue length.
    func doctors(wanted: Set<String>?, waiting: [String: Int], now: Date, context: RequestContext) throws -> [DoctorOnDuty] {
        var list = Clinic_Scheduling_V1_ListDoctorsRequest()
        list.includeInactive = true
        let doctors = try context.call(Clinic_Scheduling_V1_Scheduling.listDoctors, list).doctors
        return try doctors.map { doctor in
            let asked = wanted.map { $0.contains(doctor.id) } ?? true
            let works = doctor.active && asked ? try worksToday(doctor.id, now: now, context: context) : false
            return DoctorOnDuty(id: doctor.id, name: doctor.name, gender: doctor.gender.rawValue, active: doctor.active,
                                worksToday: works, waiting: waiting[doctor.id] ?? 0)
        }
    }

    /// Whether the doctor still has working hours today (after overrides and leave) at `now`.
    func worksToday(_ doctorID: String, now: Date, context: RequestContext) throws -> Bool {
        var request = Clinic_Scheduling_V1_GetRosterRequest()
        request.doctorID = doctorID
        let today = clock.date(of: now)
        request.fromDate = today.description
        request.toDate = today.description
        let roster = try context.call(Clinic_Scheduling_V1_Scheduling.getRoster, request)
        let time = clock.timeOfDay(of: now)
        return roster.days.contains { day in
            day.date == today.description && day.working.contains { range in
                TimeOfDay(range.end).map { time < $0 } ?? false
            }
        }
    }
}

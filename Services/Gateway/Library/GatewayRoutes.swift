import ClinicProto

/// Every HTTP route the gateway serves, one line per RPC. The OpenAPI document is generated from this table.
///
/// Path parameters fill the request field of the same name; `pathFields` sends one into a nested message instead
/// (one template per path: Hummingbird's trie matches the first template that fits, whatever the method).
public enum GatewayRoutes {
    private typealias Reception = Clinic_Reception_V1_Reception
    private typealias Scheduling = Clinic_Scheduling_V1_Scheduling

    /// The route table.
    public static let all: [GatewayRoute] = [
        // Reception: patients and check-in.
        GatewayRoute(.post, "/v1/patients", Reception.registerPatient, status: .created),
        GatewayRoute(.get, "/v1/patients", Reception.searchPatients,
                     query: ["query": "query", "page_size": "page.pageSize", "page_token": "page.pageToken"]),
        GatewayRoute(.get, "/v1/patients/{patient_id}", Reception.getPatient, query: ["reason": "reason"]),
        GatewayRoute(.patch, "/v1/patients/{patient_id}/contact", Reception.updatePatientContact),
        GatewayRoute(.get, "/v1/patients/{patient_id}/contact-changes", Reception.listContactChanges),
        GatewayRoute(.post, "/v1/patients/{patient_id}/check-ins", Reception.checkInPatient, status: .created),

        // Scheduling: doctors and chairs.
        GatewayRoute(.post, "/v1/doctors", Scheduling.createDoctor, status: .created),
        GatewayRoute(.get, "/v1/doctors", Scheduling.listDoctors,
                     query: ["specialty": "specialty", "include_inactive": "includeInactive"]),
        GatewayRoute(.get, "/v1/doctors/{doctor_id}", Scheduling.getDoctor),
        GatewayRoute(.patch, "/v1/doctors/{doctor_id}", Scheduling.updateDoctor),
        GatewayRoute(.post, "/v1/chairs", Scheduling.createChair, status: .created),
        GatewayRoute(.get, "/v1/chairs", Scheduling.listChairs, query: ["include_inactive": "includeInactive"]),
        GatewayRoute(.get, "/v1/chairs/{chair_id}", Scheduling.getChair),
        GatewayRoute(.patch, "/v1/chairs/{chair_id}", Scheduling.updateChair),

        // Scheduling: rosters and leave.
        GatewayRoute(.get, "/v1/rosters/{doctor_id}", Scheduling.getRoster,
                     query: ["from_date": "fromDate", "to_date": "toDate"]),
        GatewayRoute(.put, "/v1/rosters/{doctor_id}", Scheduling.setWeeklyRoster),
        GatewayRoute(.put, "/v1/rosters/{doctor_id}/overrides/{date}", Scheduling.setRosterOverride,
                     pathFields: ["doctor_id": "override.doctorId", "date": "override.date"]),
        GatewayRoute(.delete, "/v1/rosters/{doctor_id}/overrides/{date}", Scheduling.deleteRosterOverride),
        GatewayRoute(.post, "/v1/doctors/{doctor_id}/leave", Scheduling.addLeave, status: .created),
        GatewayRoute(.post, "/v1/leave/{leave_id}/cancel", Scheduling.cancelLeave),

        // Scheduling: appointments, slots and views.
        GatewayRoute(.post, "/v1/appointments", Scheduling.bookAppointment, status: .created),
        GatewayRoute(.get, "/v1/appointments", Scheduling.listDayAppointments,
                     query: ["date": "date", "doctor_id": "doctorId", "chair_id": "chairId", "include_inactive": "includeInactive"]),
        GatewayRoute(.get, "/v1/appointments/{appointment_id}", Scheduling.getAppointment),
        GatewayRoute(.post, "/v1/appointments/{appointment_id}/confirm", Scheduling.confirmAppointment),
        GatewayRoute(.post, "/v1/appointments/{appointment_id}/arrive", Scheduling.markArrived),
        GatewayRoute(.post, "/v1/appointments/{appointment_id}/start", Scheduling.startTreatment),
        GatewayRoute(.post, "/v1/appointments/{appointment_id}/complete", Scheduling.completeAppointment),
        GatewayRoute(.post, "/v1/appointments/{appointment_id}/cancel", Scheduling.cancelAppointment),
        GatewayRoute(.post, "/v1/appointments/{appointment_id}/reschedule", Scheduling.rescheduleAppointment),
        GatewayRoute(.post, "/v1/appointments/{appointment_id}/no-show", Scheduling.markNoShow),
        GatewayRoute(.get, "/v1/patients/{patient_id}/appointments", Scheduling.listPatientAppointments),
        GatewayRoute(.get, "/v1/slots", Scheduling.findSlots,
                     query: ["doctor_id": "doctorId", "specialty": "specialty", "duration_minutes": "durationMinutes",
                             "from_time": "fromTime", "count": "count", "chair_id": "chairId", "step_minutes": "stepMinutes"]),
    ]
}

import ClinicProto

/// Every HTTP route the gateway serves, one line per RPC. The OpenAPI document is generated from this table.
public enum GatewayRoutes {
    /// The route table.
    public static let all: [GatewayRoute] = [
        // Reception: patients.
        GatewayRoute(.post, "/v1/patients", Clinic_Reception_V1_Reception.registerPatient, status: .created),
        GatewayRoute(.get, "/v1/patients", Clinic_Reception_V1_Reception.searchPatients,
                     query: ["query": "query", "page_size": "page.pageSize", "page_token": "page.pageToken"]),
        GatewayRoute(.get, "/v1/patients/{patient_id}", Clinic_Reception_V1_Reception.getPatient, query: ["reason": "reason"]),
        GatewayRoute(.patch, "/v1/patients/{patient_id}/contact", Clinic_Reception_V1_Reception.updatePatientContact),
        GatewayRoute(.get, "/v1/patients/{patient_id}/contact-changes", Clinic_Reception_V1_Reception.listContactChanges),
    ]
}

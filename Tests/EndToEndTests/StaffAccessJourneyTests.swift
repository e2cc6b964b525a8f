import ClinicBus
import ClinicContract
import ClinicProto
import ClinicTestSupport
import Foundation
import Logging
import Testing

/// Sign-in, roles and revocation across the real processes: the gateway, and the services checking tokens
/// themselves over the bus.
@Suite("Staff access end to end", .serialized)
struct StaffAccessJourneyTests {
    static let quiet = Logger(label: "e2e.access", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Polls `check` for up to `seconds`; true once it holds.
    static func eventually(_ seconds: Double = 5, _ check: () async throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await check() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return try await check()
    }

    @Test("sign in → /v1/me → every role against routes of each service → sign-out and deactivation refused everywhere")
    func accessJourney() async throws {
        let stack = try StackProcesses()
        try await stack.startAll(databaseURLs: [:])
        defer { stack.stopAll() }
        let api = stack.api
        let client = try stack.busClient(logger: Self.quiet)
        defer { client.close() }

        // Signing in, and who the token says I am.
        let deskToken = try await stack.token(["STAFF_ROLE_DESK"])
        let me = try await HTTP.get("\(api)/v1/me", headers: ["Authorization": "Bearer \(deskToken)"])
        #expect(me.status == 200, "\(String(decoding: me.body, as: UTF8.self))\n\(stack.logs())")
        #expect(me.json["account"] as? String == "e2e.desk")
        #expect(me.json["roles"] as? [String] == ["STAFF_ROLE_DESK"])
        let wrong = try await HTTP.send("POST", "\(api)/v1/sessions", json: ["account": "e2e.desk", "password": "not-the-password"])
        let unknown = try await HTTP.send("POST", "\(api)/v1/sessions", json: ["account": "nobody.here", "password": "not-the-password"])
        #expect(wrong.status == 401 && unknown.status == 401)
        #expect(wrong.json["message"] as? String == unknown.json["message"] as? String, "no account enumeration")
        #expect(wrong.headers["www-authenticate"] != nil)

        // A patient to read, registered by the desk.
        let desk = SignedInHTTP(headers: ["Authorization": "Bearer \(deskToken)"])
        let registered = try await desk.send("POST", "\(api)/v1/patients", json: [
            "name": "权限测试", "birthDate": "1985-05-05", "phone": "135\(String(format: "%08d", Int.random(in: 0..<100_000_000)))",
            "allergies": ["青霉素"],
        ])
        #expect(registered.status == 201, "\(String(decoding: registered.body, as: UTF8.self))")
        let patientID = try #require(registered.json["id"] as? String)

        // Every role against a sample of routes of each service: allowed never 403, denied always 403, over HTTP;
        // and over the bus, where the service checks the token itself, the same.
        let samples: [(method: String, path: String, body: [String: Any]?, rule: Access)] = [
            ("GET", "/v1/staff", nil, Clinic_Staff_V1_Staff.listMembers.access),
            ("GET", "/v1/sign-ins", nil, Clinic_Staff_V1_Staff.listSignIns.access),
            ("GET", "/v1/patients/\(patientID)", nil, Clinic_Reception_V1_Reception.getPatient.access),
            ("GET", "/v1/patients/\(patientID)/access-log", nil, Clinic_Reception_V1_Reception.listPatientAccessLog.access),
            ("POST", "/v1/patients", [:], Clinic_Reception_V1_Reception.registerPatient.access),
            ("GET", "/v1/doctors", nil, Clinic_Scheduling_V1_Scheduling.listDoctors.access),
            ("POST", "/v1/doctors", [:], Clinic_Scheduling_V1_Scheduling.createDoctor.access),
            ("POST", "/v1/appointments", [:], Clinic_Scheduling_V1_Scheduling.bookAppointment.access),
        ]
        for role in StaffRole.all {
            let protoName = "STAFF_ROLE_" + role.name.uppercased()
            let token = try await stack.token([protoName])
            for sample in samples {
                let answer = try await HTTP.send(sample.method, api + sample.path, json: sample.body,
                                                 headers: ["Authorization": "Bearer \(token)"])
                if sample.rule.admits(roles: [role], signedIn: true, isSystem: false) {
                    #expect(answer.status != 403 && answer.status != 401, "\(role.name) \(sample.method) \(sample.path): \(answer.status)")
                } else {
                    #expect(answer.status == 403, "\(role.name) \(sample.method) \(sample.path): \(answer.status)")
                    #expect((answer.json["message"] as? String)?.contains(sample.rule.roleNames.joined(separator: ", ")) == true)
                }
            }
            // Over the bus, past the gateway: reception's own check.
            var get = Clinic_Reception_V1_GetPatientRequest()
            get.patientID = patientID
            let overBus = await rpcResult { try await client.call(Clinic_Reception_V1_Reception.getPatient, get,
                                                                  options: CallOptions(timeout: .seconds(5), token: token)) }
            let mayRead = Clinic_Reception_V1_Reception.getPatient.access.admits(roles: [role], signedIn: true, isSystem: false)
            #expect(overBus.code == (mayRead ? .ok : .permissionDenied), "\(role.name) over the bus")
            if mayRead, case .success(let patient) = overBus {
                #expect(patient.allergies.isEmpty == !PatientAccess.medicalRoles.contains(role), "\(role.name) medical fields")
            }
        }

        // A caller written into the header over the bus, with no token, gains nothing.
        var forged = Clinic_Bus_V1_Caller()
        forged.subject = "director-1"
        forged.role = "director"
        var get = Clinic_Reception_V1_GetPatientRequest()
        get.patientID = patientID
        let forgedAnswer = await rpcResult { try await client.call(Clinic_Reception_V1_Reception.getPatient, get,
                                                                   options: CallOptions(timeout: .seconds(5), caller: forged)) }
        #expect(forgedAnswer.code == .unauthenticated)

        // A system key gets the roles its configuration grants and no more: imaging is a nurse.
        let imaging = try BusClient(endpoint: stack.bus, security: try stack.clientSecurity(as: StackProcesses.integratorPeer),
                                    logger: Self.quiet)
        defer { imaging.close() }
        let asNurse = await rpcResult { try await imaging.call(Clinic_Reception_V1_Reception.getPatient, get) }
        #expect(asNurse.code == .ok)
        #expect((try? asNurse.get().allergies) == ["青霉素"], "a nurse sees the medical fields")
        var accessLog = Clinic_Reception_V1_ListPatientAccessLogRequest()
        accessLog.patientID = patientID
        #expect(await rpcResult { try await imaging.call(Clinic_Reception_V1_Reception.listPatientAccessLog, accessLog) }.code == .permissionDenied)
        #expect(await rpcResult { try await imaging.call(Clinic_Reception_V1_Events.replay, Clinic_Bus_V1_ReplayRequest()) }.code == .permissionDenied,
                "system-only rpcs stay closed to it")

        // Signing out: the gateway refuses the token at once, reception within seconds.
        let nurseToken = try await stack.token(["STAFF_ROLE_NURSE"])
        let signedOut = try await HTTP.send("DELETE", "\(api)/v1/sessions/current", headers: ["Authorization": "Bearer \(nurseToken)"])
        #expect(signedOut.status == 200, "\(String(decoding: signedOut.body, as: UTF8.self))")
        let afterSignOut = try await HTTP.get("\(api)/v1/patients/\(patientID)", headers: ["Authorization": "Bearer \(nurseToken)"])
        #expect(afterSignOut.status == 401)
        #expect(try await Self.eventually {
            await rpcResult { try await client.call(Clinic_Reception_V1_Reception.getPatient, get,
                                                    options: CallOptions(timeout: .seconds(5), token: nurseToken)) }.code == .unauthenticated
        }, "reception refuses a signed-out token within seconds")

        // Deactivation: the member's token is refused everywhere within seconds.
        let doctorToken = try await stack.token(["STAFF_ROLE_DOCTOR"])
        let doctor = try await HTTP.get("\(api)/v1/me", headers: ["Authorization": "Bearer \(doctorToken)"])
        let doctorID = try #require(doctor.json["id"] as? String)
        let admin = try await stack.token(["STAFF_ROLE_ADMIN"])
        let deactivated = try await HTTP.send("POST", "\(api)/v1/staff/\(doctorID)/deactivate", json: ["reason": "left the clinic"],
                                              headers: ["Authorization": "Bearer \(admin)"])
        #expect(deactivated.status == 200, "\(String(decoding: deactivated.body, as: UTF8.self))")
        #expect(try await Self.eventually {
            try await HTTP.get("\(api)/v1/patients/\(patientID)", headers: ["Authorization": "Bearer \(doctorToken)"]).status == 401
        }, "the gateway refuses a deactivated member within seconds")
        #expect(try await Self.eventually {
            await rpcResult { try await client.call(Clinic_Reception_V1_Reception.getPatient, get,
                                                    options: CallOptions(timeout: .seconds(5), token: doctorToken)) }.code == .unauthenticated
        }, "reception refuses a deactivated member within seconds")

        // Rotation: a token from before still works; one from after carries the new key and works too.
        let rotated = try await HTTP.send("POST", "\(api)/v1/signing-keys", json: [String: Any](), headers: ["Authorization": "Bearer \(admin)"])
        #expect(rotated.status == 201, "\(String(decoding: rotated.body, as: UTF8.self))")
        let newKey = try #require(rotated.json["keyId"] as? String)
        let beforeRotation = try await HTTP.get("\(api)/v1/patients/\(patientID)", headers: ["Authorization": "Bearer \(deskToken)"])
        #expect(beforeRotation.status == 200)
        let fresh = try await stack.signIn("e2e.desk", "e2e-password-e2e.desk")
        let header = try #require(Data(base64URL: String(fresh.split(separator: ".")[0])))
        #expect(String(decoding: header, as: UTF8.self).contains(newKey))
        #expect(try await Self.eventually {
            await rpcResult { try await client.call(Clinic_Reception_V1_Reception.getPatient, get,
                                                    options: CallOptions(timeout: .seconds(5), token: fresh)) }.code == .ok
        })

        // The full-record reads above are in the patient's access log, which the director may read.
        let director = SignedInHTTP(headers: try await stack.auth(["STAFF_ROLE_DIRECTOR"]))
        let log = try await director.get("\(api)/v1/patients/\(patientID)/access-log?page_size=200")
        #expect(log.status == 200)
        #expect(((log.json["entries"] as? [[String: Any]]) ?? []).count >= 5)
    }

    @Test("sign-in is rate-limited per account: 429 with Retry-After")
    func signInRateLimit() async throws {
        let stack = try StackProcesses()
        try await stack.startAll(databaseURLs: [:])
        defer { stack.stopAll() }
        var statuses: [Int] = []
        var retryAfter: String?
        for _ in 0..<11 {
            let answer = try await HTTP.send("POST", "\(stack.api)/v1/sessions", json: ["account": "someone", "password": "wrong-password"])
            statuses.append(answer.status)
            retryAfter = answer.headers["retry-after"] ?? retryAfter
        }
        #expect(statuses.prefix(10).allSatisfy { $0 == 401 }, "\(statuses)")
        #expect(statuses.last == 429, "\(statuses)")
        #expect(Int(retryAfter ?? "") ?? 0 >= 1)
    }
}

/// The roles that see medical fields, as reception's privacy rule says (DOMAIN.md §5).
enum PatientAccess {
    static let medicalRoles: Set<StaffRole> = [.doctor, .nurse, .supervisor, .director]
}

extension Data {
    /// Decodes base64url without padding (a JWT segment).
    init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        self.init(base64Encoded: base64)
    }
}

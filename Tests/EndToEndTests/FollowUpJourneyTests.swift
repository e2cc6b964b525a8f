import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import Testing

/// A treatment done at reception becomes follow-up's plan through the real processes, bus and outboxes: the doctor's
/// account (linked to scheduling's doctor) gets the first-month calls, customer service the later ones; the doctor's
/// call books the patient again through scheduling, and the booking comes back as the day-before reminder.
@Suite("Follow-up end to end", .serialized)
struct FollowUpJourneyTests {
    @Test("treatment done → plan in follow-up → work list → call result books again → reminder planned")
    func followUpJourney() async throws {
        let stack = try StackProcesses()
        try await stack.startAll(databaseURLs: [:])
        defer { stack.stopAll() }
        let api = stack.api
        let supervisor = try await stack.http(["STAFF_ROLE_SUPERVISOR"])
        let desk = try await stack.http(["STAFF_ROLE_DESK"])
        _ = try await stack.http(["STAFF_ROLE_CUSTOMER_SERVICE"])

        // A doctor in scheduling, and their account in clinic-staff linked to it.
        let doctor = try await supervisor.send("POST", "\(api)/v1/doctors", json: ["name": "孙医生", "specialty": "general", "gender": "GENDER_MALE"])
        let doctorID = try #require(doctor.json["id"] as? String)
        let days = (1...7).map { ["weekday": $0, "hours": ["start": "00:00", "end": "23:59"]] as [String: Any] }
        #expect(try await supervisor.send("PUT", "\(api)/v1/rosters/\(doctorID)", json: ["days": days]).status == 200)
        let adminToken = try await stack.signIn(StackProcesses.admin.account, StackProcesses.admin.password)
        let account = "e2e.doctor.sun"
        let created = try await HTTP.send("POST", "\(api)/v1/staff", json: ["account": account, "name": "孙医生", "roles": ["STAFF_ROLE_DOCTOR"],
                                                                         "doctorId": doctorID, "password": "e2e-password-sun"],
                                          headers: ["Authorization": "Bearer \(adminToken)"])
        #expect(created.status == 201, "\(String(decoding: created.body, as: UTF8.self))")
        let memberID = try #require(created.json["id"] as? String)
        let doctorToken = try await stack.signIn(account, "e2e-password-sun")
        let sun = SignedInHTTP(headers: ["Authorization": "Bearer \(doctorToken)"])

        // A patient treated today.
        let phone = "136\(String(format: "%08d", Int.random(in: 0..<100_000_000)))"
        let patient = try await desk.send("POST", "\(api)/v1/patients", json: ["name": "吴回访", "birthDate": "1975-05-05", "phone": phone])
        let patientID = try #require(patient.json["id"] as? String)
        let visit = try await desk.send("POST", "\(api)/v1/visits", json: ["patientId": patientID, "doctorId": doctorID, "complaint": "补牙"])
        #expect(visit.status == 201, "\(String(decoding: visit.body, as: UTF8.self))")
        let visitID = try #require(visit.json["id"] as? String)
        #expect(try await sun.send("POST", "\(api)/v1/visits/\(visitID)/start-treatment", json: [:]).status == 200)
        let done = try await sun.send("POST", "\(api)/v1/visits/\(visitID)/treatment-done", json: [
            "treatments": [["kind": "TREATMENT_KIND_FILLING", "teeth": [26]]],
        ])
        #expect(done.status == 200, "\(String(decoding: done.body, as: UTF8.self))")

        // Follow-up's plan: the filling's four points and the checkup invitation.
        var tasks: [[String: Any]] = []
        #expect(try await eventually(timeout: .seconds(30)) {
            tasks = (try await supervisor.get("\(api)/v1/follow-ups?patient_id=\(patientID)").json["tasks"] as? [[String: Any]]) ?? []
            return tasks.count == 5
        }, "\(stack.logs())")
        let first = try #require(tasks.first)
        #expect(first["assigneeId"] as? String == memberID)
        #expect(first["teamId"] == nil && first["team"] as? String == "TEAM_CLINICAL")
        #expect(first["phone"] as? String == String(phone.prefix(3)) + "****" + String(phone.suffix(4)))
        #expect(tasks.dropFirst().allSatisfy { $0["team"] as? String == "TEAM_CUSTOMER_SERVICE" })
        #expect(tasks.contains { $0["kind"] as? String == "TASK_KIND_CHECKUP_INVITATION" })

        // The day-1 call is on the doctor's list for tomorrow, and the doctor sees the full number.
        let tomorrow = ISO8601DateFormatter.clinicDate(Date().addingTimeInterval(86_400))
        let list = try await sun.get("\(api)/v1/follow-ups/work-list?date=\(tomorrow)")
        #expect((list.json["tasks"] as? [[String: Any]])?.first?["id"] as? String == first["id"] as? String, "\(list.json)")
        let taskID = try #require(first["id"] as? String)
        #expect(try await sun.get("\(api)/v1/follow-ups/\(taskID)").json["phone"] as? String == phone)

        // The call: reached, a little sensitivity, booked again through scheduling; a retry books nothing twice.
        let start = ISO8601DateFormatter().string(from: Calendar.current.startOfDay(for: Date()).addingTimeInterval(3 * 86_400 + 2 * 3600))
        let key = UUID().uuidString
        let body: [String: Any] = ["reached": true, "channel": "CHANNEL_PHONE", "conditions": ["CONDITION_SENSITIVITY"],
                                   "satisfaction": "SATISFACTION_D_VERY_SATISFIED",
                                   "rebook": ["doctorId": doctorID, "startTime": start, "durationMinutes": 30, "procedure": "复查"]]
        let headers = sun.headers.merging(["Idempotency-Key": key]) { $1 }
        let result = try await HTTP.send("POST", "\(api)/v1/follow-ups/\(taskID)/results", json: body, headers: headers)
        #expect(result.status == 201, "\(String(decoding: result.body, as: UTF8.self))\n\(stack.logs())")
        let appointmentID = try #require(result.json["appointmentId"] as? String)
        let retry = try await HTTP.send("POST", "\(api)/v1/follow-ups/\(taskID)/results", json: body, headers: headers)
        #expect(retry.body == result.body)
        #expect(try await desk.get("\(api)/v1/appointments/\(appointmentID)").status == 200)

        // Scheduling's AppointmentBooked comes back to follow-up as the day-before reminder.
        #expect(try await eventually(timeout: .seconds(30)) {
            let reminders = (try await supervisor.get("\(api)/v1/follow-ups?patient_id=\(patientID)&kind=TASK_KIND_APPOINTMENT_REMINDER")
                .json["tasks"] as? [[String: Any]]) ?? []
            return reminders.first?["appointmentId"] as? String == appointmentID
        }, "\(stack.logs())")
        let messages = try await supervisor.get("\(api)/v1/messages?patient_id=\(patientID)")
        let templates = Set(((messages.json["messages"] as? [[String: Any]]) ?? []).compactMap { $0["template"] as? String })
        #expect(templates == ["appointment_confirmation", "appointment_reminder"])

        // The monthly report, as CSV.
        let csv = try await supervisor.get("\(api)/v1/reports/follow-up.csv")
        #expect(csv.status == 200 && String(decoding: csv.body, as: UTF8.self).hasPrefix("section,key,count,total,rate_percent"))
        #expect(!stack.logs().contains(phone))
    }
}

extension ISO8601DateFormatter {
    /// `date`'s day in the clinic's time zone (the stack's default, Asia/Shanghai), YYYY-MM-DD.
    static func clinicDate(_ date: Date) -> String {
        ClinicClock(timeZone: TimeZone(identifier: "Asia/Shanghai")!).date(of: date).description
    }
}

import ClinicTestSupport
import Foundation
import Testing

/// A patient's visit over HTTP through the real processes: signed in as the desk, the doctor and the supervisor.
@Suite("Visits end to end", .serialized)
struct VisitJourneyTests {
    @Test("sign in → book → check in → queue → treatment started and done (403 for the desk) → appointment completed → leave")
    func visitJourney() async throws {
        let stack = try StackProcesses()
        try await stack.startAll(databaseURLs: [:])
        defer { stack.stopAll() }
        let api = stack.api
        let supervisor = try await stack.http(["STAFF_ROLE_SUPERVISOR"])
        let desk = try await stack.http(["STAFF_ROLE_DESK"])
        let doctorMember = try await stack.http(["STAFF_ROLE_DOCTOR"])

        // A doctor on duty around the clock, and a patient booked with them in half an hour.
        let doctor = try await supervisor.send("POST", "\(api)/v1/doctors", json: ["name": "钱医生", "specialty": "general", "gender": "GENDER_FEMALE"])
        #expect(doctor.status == 201, "\(String(decoding: doctor.body, as: UTF8.self))\n\(stack.logs())")
        let doctorID = try #require(doctor.json["id"] as? String)
        let days = (1...7).map { ["weekday": $0, "hours": ["start": "00:00", "end": "23:59"]] as [String: Any] }
        #expect(try await supervisor.send("PUT", "\(api)/v1/rosters/\(doctorID)", json: ["days": days]).status == 200)
        let phone = "135\(String(format: "%08d", Int.random(in: 0..<100_000_000)))"
        let patient = try await desk.send("POST", "\(api)/v1/patients", json: ["name": "孙复诊", "birthDate": "1980-08-08", "phone": phone])
        #expect(patient.status == 201)
        let patientID = try #require(patient.json["id"] as? String)
        let start = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 60).rounded(.down) * 60 + 1800))
        let booked = try await desk.send("POST", "\(api)/v1/appointments", json: [
            "patientId": patientID, "doctorId": doctorID, "startTime": start, "durationMinutes": 10, "source": "BOOKING_SOURCE_DESK",
        ])
        #expect(booked.status == 201, "\(String(decoding: booked.body, as: UTF8.self))")
        let appointmentID = try #require(booked.json["id"] as? String)

        // Check in: the visit joins the appointment's doctor's queue.
        let checkedIn = try await desk.send("POST", "\(api)/v1/visits", json: ["patientId": patientID, "appointmentId": appointmentID,
                                                                               "complaint": "补的牙有点疼", "teeth": [36]])
        #expect(checkedIn.status == 201, "\(String(decoding: checkedIn.body, as: UTF8.self))\n\(stack.logs())")
        let visitID = try #require(checkedIn.json["id"] as? String)
        #expect(checkedIn.json["status"] as? String == "VISIT_STATUS_WAITING")
        #expect(checkedIn.json["doctorId"] as? String == doctorID)
        #expect(checkedIn.json["kind"] as? String == "VISIT_KIND_FIRST")
        let again = try await desk.send("POST", "\(api)/v1/visits", json: ["patientId": patientID])
        #expect(again.status == 409)
        #expect((again.json["message"] as? String ?? "").contains(visitID))

        let queue = try await desk.get("\(api)/v1/queue")
        #expect(queue.status == 200)
        let doctors = queue.json["doctors"] as? [[String: Any]] ?? []
        let waiting = doctors.first { $0["doctorId"] as? String == doctorID }?["waiting"] as? [[String: Any]] ?? []
        #expect(waiting.first?["visitId"] as? String == visitID)
        #expect(waiting.first?["position"] as? Int == 1)
        #expect(!String(decoding: queue.body, as: UTF8.self).contains(phone))

        // Treatment: the doctor's, not the desk's.
        #expect(try await desk.send("POST", "\(api)/v1/visits/\(visitID)/start-treatment", json: [:]).status == 403)
        let started = try await doctorMember.send("POST", "\(api)/v1/visits/\(visitID)/start-treatment", json: [:])
        #expect(started.status == 200)
        #expect(started.json["status"] as? String == "VISIT_STATUS_IN_TREATMENT")
        let badTooth = try await doctorMember.send("POST", "\(api)/v1/visits/\(visitID)/treatment-done", json: [
            "treatments": [["kind": "TREATMENT_KIND_FILLING", "teeth": [19], "feeCodes": ["FILL 01"]]],
        ])
        #expect(badTooth.status == 400)
        let fields = Set((badTooth.json["details"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
        #expect(fields == ["treatments[0].teeth[0]", "treatments[0].feeCodes[0]"])
        let done = try await doctorMember.send("POST", "\(api)/v1/visits/\(visitID)/treatment-done", json: [
            "treatments": [["kind": "TREATMENT_KIND_FILLING", "teeth": [36], "feeCodes": ["FILL-01"], "notes": "重新充填"]],
        ])
        #expect(done.status == 200, "\(String(decoding: done.body, as: UTF8.self))")
        #expect(done.json["status"] as? String == "VISIT_STATUS_TREATMENT_DONE")
        let illegal = try await doctorMember.send("POST", "\(api)/v1/visits/\(visitID)/start-treatment", json: [:])
        #expect(illegal.status == 400)
        #expect((illegal.json["message"] as? String ?? "").contains("treatment done"))

        // Scheduling follows: the appointment is completed.
        var appointmentStatus = ""
        #expect(try await eventually {
            appointmentStatus = try await desk.get("\(api)/v1/appointments/\(appointmentID)").json["status"] as? String ?? ""
            return appointmentStatus == "APPOINTMENT_STATUS_COMPLETED"
        }, "\(appointmentStatus)")

        // Leaving unpaid needs a reason (billing marks the visit paid when it runs).
        #expect(try await desk.send("POST", "\(api)/v1/visits/\(visitID)/leave", json: [:]).status == 400)
        let left = try await desk.send("POST", "\(api)/v1/visits/\(visitID)/leave", json: ["reason": "下次一起付"])
        #expect(left.status == 200)
        #expect(left.json["status"] as? String == "VISIT_STATUS_LEFT")
        let steps = (left.json["steps"] as? [[String: Any]] ?? []).compactMap { $0["status"] as? String }
        #expect(steps == ["VISIT_STATUS_CHECKED_IN", "VISIT_STATUS_WAITING", "VISIT_STATUS_IN_TREATMENT",
                          "VISIT_STATUS_TREATMENT_DONE", "VISIT_STATUS_LEFT"])

        // The day's visits, and a phone consultation.
        let today = try await desk.get("\(api)/v1/visits?patient_id=\(patientID)")
        #expect((today.json["visits"] as? [[String: Any]])?.map { $0["id"] as? String } == [visitID])
        let call = try await desk.send("POST", "\(api)/v1/phone-consultations", json: [
            "callerName": "孙复诊", "phone": phone, "question": "还疼怎么办", "callBackNeeded": true,
        ])
        #expect(call.status == 201)
        let calls = try await desk.get("\(api)/v1/phone-consultations")
        #expect(!String(decoding: calls.body, as: UTF8.self).contains(phone))
    }
}

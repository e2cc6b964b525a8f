import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import Testing

/// The real `clinic-bus`, `clinic-reception`, `clinic-scheduling` and `clinic-gateway` processes, driven over HTTP.
@Suite("Scheduling end to end", .serialized)
struct SchedulingJourneyTests {
    static let activeStatuses = "('booked', 'confirmed', 'arrived', 'in_treatment', 'completed')"

    @Test("doctor, chair, roster → slots → book → 32 racing bookings, one wins → check-in arrives → cancel needs a reason → day view")
    func appointmentJourney() async throws {
        let reception = try TestDatabase.shared().makeService(prefix: "e2e_reception")
        let scheduling = try TestDatabase.shared().makeService(prefix: "e2e_scheduling")
        let stack = try StackProcesses()
        try await stack.startAll(databaseURLs: ["reception": reception.url, "scheduling": scheduling.url])
        let api = stack.api
        let http = try await stack.http()

        // A patient at reception, a doctor and a chair, and a roster covering every day (so the test runs at any hour).
        let patient = try await http.send("POST", "\(api)/v1/patients", json: [
            "name": "周预约", "gender": "GENDER_FEMALE", "birthDate": "1990-04-04",
            "phone": "136\(String(format: "%08d", Int.random(in: 0..<100_000_000)))",
        ])
        #expect(patient.status == 201, "\(String(decoding: patient.body, as: UTF8.self))")
        let patientID = try #require(patient.json["id"] as? String)
        let doctor = try await http.send("POST", "\(api)/v1/doctors", json: [
            "name": "吴医生", "specialty": "general", "gender": "GENDER_MALE", "title": "主治医师",
        ])
        #expect(doctor.status == 201, "\(String(decoding: doctor.body, as: UTF8.self))\n\(stack.logs())")
        let doctorID = try #require(doctor.json["id"] as? String)
        let chair = try await http.send("POST", "\(api)/v1/chairs", json: ["name": "E2E 椅", "room": "诊室 9"])
        #expect(chair.status == 201)
        let chairID = try #require(chair.json["id"] as? String)
        let days = (1...7).map { ["weekday": $0, "hours": ["start": "00:00", "end": "23:45"]] as [String: Any] }
        let roster = try await http.send("PUT", "\(api)/v1/rosters/\(doctorID)", json: ["days": days])
        #expect(roster.status == 200, "\(String(decoding: roster.body, as: UTF8.self))")

        // Free slots from now on, half an hour apart (so the second does not overlap the first once it is booked).
        let slots = try await http.get("\(api)/v1/slots?doctor_id=\(doctorID)&chair_id=\(chairID)&duration_minutes=30&count=3&step_minutes=30")
        #expect(slots.status == 200, "\(String(decoding: slots.body, as: UTF8.self))")
        let found = slots.json["slots"] as? [[String: Any]] ?? []
        try #require(found.count == 3, "\(String(decoding: slots.body, as: UTF8.self))")
        #expect(found.allSatisfy { $0["doctorId"] as? String == doctorID })
        let first = try #require(found[0]["startTime"] as? String)
        let second = try #require(found[1]["startTime"] as? String)
        let day = String(try #require(found[0]["startLocal"] as? String).prefix(10))

        // Book the first slot for the patient (scheduling learns of the patient from reception's event).
        var booked = HTTP.Answer(status: 0, body: Data(), headers: [:])
        let deadline = Date().addingTimeInterval(10)
        repeat {
            booked = try await http.send("POST", "\(api)/v1/appointments", json: [
                "patientId": patientID, "doctorId": doctorID, "chairId": chairID, "startTime": first,
                "durationMinutes": 30, "procedure": "洗牙", "source": "BOOKING_SOURCE_DESK",
            ])
            if booked.status == 201 { break }
            try await Task.sleep(for: .milliseconds(200))
        } while Date() < deadline
        #expect(booked.status == 201, "\(String(decoding: booked.body, as: UTF8.self))\n\(stack.logs())")
        let appointmentID = try #require(booked.json["id"] as? String)
        #expect(booked.json["status"] as? String == "APPOINTMENT_STATUS_BOOKED")

        // 32 desks book the same doctor at the same time at once: exactly one wins.
        let answers = await withTaskGroup(of: (status: Int, id: String, message: String).self) { group in
            for index in 0..<32 {
                group.addTask {
                    let answer = try? await http.send("POST", "\(api)/v1/appointments", json: [
                        "prospect": ["name": "来电\(index)", "phone": "1370000\(String(format: "%04d", index))", "age": 30],
                        "doctorId": doctorID, "startTime": second, "durationMinutes": 30, "source": "BOOKING_SOURCE_PHONE",
                    ])
                    return (answer?.status ?? -1, answer?.json["id"] as? String ?? "", answer?.json["message"] as? String ?? "")
                }
            }
            return await group.reduce(into: [(status: Int, id: String, message: String)]()) { $0.append($1) }
        }
        let statuses = answers.map(\.status)
        #expect(statuses.filter { $0 == 201 }.count == 1, "\(answers)")
        #expect(statuses.filter { $0 == 409 }.count == 31, "\(answers)")
        // Every loser is told which appointment holds the time.
        let winner = answers.first { $0.status == 201 }?.id ?? "none"
        #expect(answers.filter { $0.status == 409 }.allSatisfy { $0.message.contains(winner) }, "\(answers)")
        let db = try Connection(url: scheduling.url, logger: TestDatabase.logger)
        defer { db.close() }
        let secondInstant = try #require(ISO8601DateFormatter().date(from: second))
        let holders = try db.query("""
            SELECT count(*) AS n FROM appointments
            WHERE doctor_id = \(try #require(UUID(uuidString: doctorID))) AND start_time = \(secondInstant)
              AND status IN \(raw: Self.activeStatuses)
            """)
        #expect(try holders.first?.decode("n", as: Int.self) == 1)

        // The desk checks the patient in at reception; scheduling marks the appointment arrived from the event.
        let checkIn = try await http.send("POST", "\(api)/v1/patients/\(patientID)/check-ins", json: ["appointmentId": appointmentID])
        #expect(checkIn.status == 201, "\(String(decoding: checkIn.body, as: UTF8.self))")
        #expect(checkIn.json["appointmentId"] as? String == appointmentID)
        let again = try await http.send("POST", "\(api)/v1/patients/\(patientID)/check-ins", json: ["appointmentId": appointmentID])
        #expect(again.status == 409)
        var status = ""
        let arrivalDeadline = Date().addingTimeInterval(5)
        while Date() < arrivalDeadline {
            status = try await http.get("\(api)/v1/appointments/\(appointmentID)").json["status"] as? String ?? ""
            if status == "APPOINTMENT_STATUS_ARRIVED" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(status == "APPOINTMENT_STATUS_ARRIVED", "\(stack.logs())")

        // Cancelling needs a reason.
        let noReason = try await http.send("POST", "\(api)/v1/appointments/\(appointmentID)/cancel", json: [String: Any]())
        #expect(noReason.status == 400)
        #expect((noReason.json["details"] as? [[String: Any]] ?? []).contains { $0["field"] as? String == "reason" })

        // The day view lists the patient's appointment and the one racing booking that won.
        let dayView = try await http.get("\(api)/v1/appointments?date=\(day)&doctor_id=\(doctorID)")
        #expect(dayView.status == 200)
        let listed = dayView.json["appointments"] as? [[String: Any]] ?? []
        #expect(listed.contains { $0["id"] as? String == appointmentID && $0["status"] as? String == "APPOINTMENT_STATUS_ARRIVED" })
        #expect(listed.count == 2, "\(String(decoding: dayView.body, as: UTF8.self))")

        // Every process stops cleanly on SIGTERM.
        let exits = stack.stopAll()
        #expect(exits.count == Stack.executables.count)
        for (name, exit) in exits {
            #expect(exit == .some(0), "\(name) did not exit cleanly:\n\(stack.logs())")
        }
    }
}

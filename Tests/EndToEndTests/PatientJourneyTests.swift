import ClinicTestSupport
import Foundation
import Testing

/// The real `clinic-bus`, `clinic-reception` and `clinic-gateway` processes, driven over HTTP.
@Suite("Patients end to end", .serialized)
struct PatientJourneyTests {
    @Test("register → get → search → 400 → 409 → 404, then a clean shutdown")
    func patientJourney() async throws {
        let database = try TestDatabase.shared().makeService(prefix: "e2e_reception")
        let stack = try StackProcesses()
        try await stack.startAll(databaseURLs: ["reception": database.url])
        let http = try await stack.http()

        // Register.
        let phone = "139\(String(format: "%08d", Int.random(in: 0..<100_000_000)))"
        let registered = try await http.send("POST", "\(stack.api)/v1/patients", json: [
            "name": "陈小明", "gender": "GENDER_MALE", "birthDate": "1988-02-29", "phone": phone,
            "allergies": ["青霉素"], "sourceChannel": "SOURCE_CHANNEL_PHONE",
        ])
        #expect(registered.status == 201, "\(String(decoding: registered.body, as: UTF8.self))\n\(stack.logs())")
        let id = try #require(registered.json["id"] as? String)
        #expect(registered.json["phone"] as? String == phone)
        #expect(registered.json["allergies"] as? [String] == ["青霉素"])

        // Get: the full record.
        let fetched = try await http.get("\(stack.api)/v1/patients/\(id)?reason=e2e")
        #expect(fetched.status == 200)
        #expect(fetched.json["name"] as? String == "陈小明")
        #expect(fetched.json["birthDate"] as? String == "1988-02-29")
        #expect(fetched.json["phone"] as? String == phone)

        // Search by phone prefix and by name prefix: phones masked, no medical fields.
        let byPhone = try await http.get("\(stack.api)/v1/patients?query=\(phone.prefix(7))")
        #expect(byPhone.status == 200)
        let hits = try #require(byPhone.json["patients"] as? [[String: Any]])
        let hit = try #require(hits.first { $0["id"] as? String == id })
        #expect(hit["phoneMasked"] as? String == "\(phone.prefix(3))****\(phone.suffix(4))")
        #expect(hit["phone"] == nil && hit["allergies"] == nil)
        #expect(!String(decoding: byPhone.body, as: UTF8.self).contains(phone))
        let byName = try await http.get("\(stack.api)/v1/patients?query=" + "陈小".addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!)
        #expect((byName.json["patients"] as? [[String: Any]])?.contains { $0["id"] as? String == id } == true)

        // Bad input: 400 naming the field, nothing stored.
        let bad = try await http.send("POST", "\(stack.api)/v1/patients", json: [
            "name": "坏号码", "birthDate": "1990-01-01", "phone": "12345",
        ])
        #expect(bad.status == 400)
        #expect(bad.json["code"] as? Int == 3)
        let details = bad.json["details"] as? [[String: Any]] ?? []
        #expect(details.contains { $0["field"] as? String == "phone" })
        #expect(!(bad.json["message"] as? String ?? "").contains("12345"))
        let future = try await http.send("POST", "\(stack.api)/v1/patients", json: [
            "name": "未来人", "birthDate": "2999-01-01", "phone": "13700000000",
        ])
        #expect(future.status == 400)
        #expect((future.json["details"] as? [[String: Any]] ?? []).contains { $0["field"] as? String == "birthDate" })

        // Duplicate: 409 naming the existing record.
        let duplicate = try await http.send("POST", "\(stack.api)/v1/patients", json: [
            "name": "另一个人", "birthDate": "1970-01-01", "phone": phone,
        ])
        #expect(duplicate.status == 409)
        #expect((duplicate.json["message"] as? String ?? "").contains(id))
        #expect(!(duplicate.json["message"] as? String ?? "").contains(phone))

        // Unknown id: 404; malformed id: 400.
        let missing = try await http.get("\(stack.api)/v1/patients/\(UUID().uuidString.lowercased())")
        #expect(missing.status == 404)
        #expect(missing.json["code"] as? Int == 5)
        let malformed = try await http.get("\(stack.api)/v1/patients/not-a-uuid")
        #expect(malformed.status == 400)

        // Contact change with history.
        let newPhone = "138\(String(format: "%08d", Int.random(in: 0..<100_000_000)))"
        let updated = try await http.send("PATCH", "\(stack.api)/v1/patients/\(id)/contact",
                                          json: ["phone": newPhone, "reason": "换号"])
        #expect(updated.status == 200)
        #expect(updated.json["phone"] as? String == newPhone)
        let history = try await http.get("\(stack.api)/v1/patients/\(id)/contact-changes")
        let changes = history.json["changes"] as? [[String: Any]] ?? []
        #expect(changes.count == 1)
        #expect(changes.first?["oldValue"] as? String == "\(phone.prefix(3))****\(phone.suffix(4))")

        // Every process stops cleanly on SIGTERM.
        let statuses = stack.stopAll()
        for (name, status) in statuses {
            #expect(status == .some(0), "\(name) did not exit cleanly:\n\(stack.logs())")
        }
    }
}

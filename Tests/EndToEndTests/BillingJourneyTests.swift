import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import Testing

/// A visit paid for over HTTP through the real processes: the fee schedule imported with `clinic fees import`, the
/// treatment done at reception, its bill made by billing, a partial payment with its receipt, the final payment, and
/// reception marking the visit paid from billing's BillPaid.
@Suite("Billing end to end", .serialized)
struct BillingJourneyTests {
    /// The whole journey over HTTP.
    @Test("fees imported → treatment done → bill appears → partial payment → receipt → final payment → visit paid")
    func billingJourney() async throws {
        let stack = try StackProcesses()
        try await stack.startAll(databaseURLs: [:])
        defer { stack.stopAll() }
        let api = stack.api
        let supervisor = try await stack.http(["STAFF_ROLE_SUPERVISOR"])
        let desk = try await stack.http(["STAFF_ROLE_DESK"])
        let doctorMember = try await stack.http(["STAFF_ROLE_DOCTOR"])
        let cashier = try await stack.http(["STAFF_ROLE_CASHIER"])

        // The fee schedule, through the operator's CLI signed in as the admin; a bad file changes nothing.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fees-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let passwordFile = folder.appendingPathComponent("password").path
        try Data((StackProcesses.admin.password + "\n").utf8).write(to: URL(fileURLWithPath: passwordFile))
        let clinic = ProcessSupervisor.ownDirectory.appendingPathComponent("clinic").path
        let bad = folder.appendingPathComponent("bad.csv").path
        try Data("code,name,category,unit_price_fen,active_from\nFILL-01,树脂充填,treatment,280.5,2020-01-01\n".utf8)
            .write(to: URL(fileURLWithPath: bad))
        let refused = try CommandRunner.run(clinic, ["fees", "import", bad, "--api", api, "--password-file", passwordFile])
        #expect(refused.status != 0)
        #expect(refused.output.contains("line 2: unit_price_fen must be a whole number of fen"), "\(refused.output)")
        let good = folder.appendingPathComponent("fees.csv").path
        try Data("""
            code,name,category,unit_price_fen,active_from,active_to
            FILL-01,树脂充填,treatment,28000,2020-01-01,
            XRAY-01,根尖片,examination,5000,2020-01-01,

            """.utf8).write(to: URL(fileURLWithPath: good))
        let imported = try CommandRunner.run(clinic, ["fees", "import", good, "--api", api, "--password-file", passwordFile])
        #expect(imported.status == 0, "\(imported.output)\n\(stack.logs())")
        #expect(imported.output.contains("2 new item(s)"), "\(imported.output)")
        let fees = try await cashier.get("\(api)/v1/fee-items")
        #expect((fees.json["items"] as? [[String: Any]])?.compactMap { $0["code"] as? String } == ["FILL-01", "XRAY-01"])

        // A walk-in treated by a doctor on duty.
        let doctor = try await supervisor.send("POST", "\(api)/v1/doctors", json: ["name": "钱医生", "specialty": "general", "gender": "GENDER_FEMALE"])
        let doctorID = try #require(doctor.json["id"] as? String)
        let days = (1...7).map { ["weekday": $0, "hours": ["start": "00:00", "end": "23:59"]] as [String: Any] }
        #expect(try await supervisor.send("PUT", "\(api)/v1/rosters/\(doctorID)", json: ["days": days]).status == 200)
        let phone = "135\(String(format: "%08d", Int.random(in: 0..<100_000_000)))"
        let patient = try await desk.send("POST", "\(api)/v1/patients", json: ["name": "周付款", "birthDate": "1982-02-02", "phone": phone])
        let patientID = try #require(patient.json["id"] as? String)
        let checkedIn = try await desk.send("POST", "\(api)/v1/visits", json: ["patientId": patientID, "doctorId": doctorID,
                                                                               "complaint": "牙疼", "teeth": [36]])
        #expect(checkedIn.status == 201, "\(String(decoding: checkedIn.body, as: UTF8.self))")
        let visitID = try #require(checkedIn.json["id"] as? String)
        #expect(try await doctorMember.send("POST", "\(api)/v1/visits/\(visitID)/start-treatment", json: [:]).status == 200)
        let done = try await doctorMember.send("POST", "\(api)/v1/visits/\(visitID)/treatment-done", json: [
            "treatments": [["kind": "TREATMENT_KIND_FILLING", "teeth": [36], "feeCodes": ["FILL-01", "XRAY-01"]]],
        ])
        #expect(done.status == 200, "\(String(decoding: done.body, as: UTF8.self))")

        // Billing makes the visit's bill from reception's event.
        var bill: [String: Any] = [:]
        #expect(try await eventually(timeout: .seconds(20)) {
            bill = (try await cashier.get("\(api)/v1/bills?visit_id=\(visitID)").json["bills"] as? [[String: Any]])?.first ?? [:]
            return !bill.isEmpty
        }, "\(stack.logs())")
        let billID = try #require(bill["id"] as? String)
        #expect(bill["totalFen"] as? String == "33000")
        #expect(bill["status"] as? String == "BILL_STATUS_OPEN")
        #expect((bill["lines"] as? [[String: Any]])?.count == 2)

        // A partial payment in cash, with change, and its receipt; a retry is answered the same.
        let key = UUID().uuidString
        let payHeaders = cashier.headers.merging(["Idempotency-Key": key]) { $1 }
        let partial = try await HTTP.send("POST", "\(api)/v1/bills/\(billID)/payments",
                                          json: ["method": "PAYMENT_METHOD_CASH", "amountFen": 10_000, "tenderedFen": 20_000],
                                          headers: payHeaders)
        #expect(partial.status == 201, "\(String(decoding: partial.body, as: UTF8.self))")
        let retry = try await HTTP.send("POST", "\(api)/v1/bills/\(billID)/payments",
                                        json: ["method": "PAYMENT_METHOD_CASH", "amountFen": 10_000, "tenderedFen": 20_000],
                                        headers: payHeaders)
        #expect(retry.body == partial.body)
        let receipt = try #require(partial.json["receipt"] as? [String: Any])
        #expect(receipt["balanceFen"] as? String == "23000" && receipt["treatmentFeeFen"] as? String == "10000")
        #expect((partial.json["payment"] as? [String: Any])?["changeFen"] as? String == "10000")
        #expect((partial.json["bill"] as? [String: Any])?["status"] as? String == "BILL_STATUS_PARTLY_PAID")
        let receiptID = try #require(receipt["id"] as? String)
        let reprint = try await cashier.get("\(api)/v1/receipts/\(receiptID)")
        #expect(reprint.status == 200 && reprint.json["copy"] as? Bool == true)
        #expect(try await desk.get("\(api)/v1/visits/\(visitID)").json["status"] as? String == "VISIT_STATUS_TREATMENT_DONE")

        // The card number never goes in; the rest is paid by WeChat Pay.
        let card = try await HTTP.send("POST", "\(api)/v1/bills/\(billID)/payments",
                                       json: ["method": "PAYMENT_METHOD_WECHAT_PAY", "amountFen": 23_000, "reference": "6222021234567890"],
                                       headers: cashier.headers.merging(["Idempotency-Key": UUID().uuidString]) { $1 })
        #expect(card.status == 400 && !String(decoding: card.body, as: UTF8.self).contains("6222021234567890"))
        let final = try await HTTP.send("POST", "\(api)/v1/bills/\(billID)/payments",
                                        json: ["method": "PAYMENT_METHOD_WECHAT_PAY", "amountFen": 23_000,
                                               "reference": "4200001234202607010123456789"],
                                        headers: cashier.headers.merging(["Idempotency-Key": UUID().uuidString]) { $1 })
        #expect(final.status == 201, "\(String(decoding: final.body, as: UTF8.self))")
        #expect((final.json["bill"] as? [String: Any])?["status"] as? String == "BILL_STATUS_PAID")

        // Reception marks the visit paid from BillPaid.
        var visit: [String: Any] = [:]
        #expect(try await eventually(timeout: .seconds(20)) {
            visit = try await desk.get("\(api)/v1/visits/\(visitID)").json
            return visit["status"] as? String == "VISIT_STATUS_PAID"
        }, "\(visit)\n\(stack.logs())")
        #expect(visit["billId"] as? String == billID)
        #expect(!stack.logs().contains("6222021234567890"))
    }
}

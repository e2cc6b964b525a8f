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

    /// The rest of the cashier's day over HTTP: a receipt printed (then a copy), a refund through every step and role,
    /// the patient's billing history, the daily close net of the refund, a payment refused once the day is closed, and
    /// the takings report as data and as CSV.
    @Test("treatment done → bill → partial payments → receipt printed → refund requested, approved, paid, received → history → daily close → payment refused → takings report")
    func refundAndDailyCloseJourney() async throws {
        let stack = try StackProcesses()
        try await stack.startAll(databaseURLs: [:])
        defer { stack.stopAll() }
        let api = stack.api
        let supervisor = try await stack.http(["STAFF_ROLE_SUPERVISOR"])
        let director = try await stack.http(["STAFF_ROLE_DIRECTOR"])
        let desk = try await stack.http(["STAFF_ROLE_DESK"])
        let doctorMember = try await stack.http(["STAFF_ROLE_DOCTOR"])
        let cashier = try await stack.http(["STAFF_ROLE_CASHIER"])
        func text(_ answer: HTTP.Answer) -> String { String(decoding: answer.body, as: UTF8.self) }
        /// An int64 of proto3 JSON (a string, or a number), absent meaning 0.
        func fen(_ object: [String: Any]?, _ key: String) -> Int64? {
            guard let object else { return nil }
            switch object[key] {
            case nil: return 0
            case let value as String: return Int64(value)
            case let value as NSNumber: return value.int64Value
            default: return nil
            }
        }
        func pay(_ billID: String, _ body: [String: Any]) async throws -> HTTP.Answer {
            try await HTTP.send("POST", "\(api)/v1/bills/\(billID)/payments", json: body,
                                headers: cashier.headers.merging(["Idempotency-Key": UUID().uuidString]) { $1 })
        }

        // The fee schedule, made by the director.
        for item in [["code": "FILL-01", "name": "树脂充填", "category": "FEE_CATEGORY_TREATMENT", "unitPriceFen": "28000", "activeFrom": "2020-01-01"],
                     ["code": "XRAY-01", "name": "根尖片", "category": "FEE_CATEGORY_EXAMINATION", "unitPriceFen": 5000, "activeFrom": "2020-01-01"]] as [[String: Any]] {
            let created = try await director.send("POST", "\(api)/v1/fee-items", json: item)
            #expect(created.status == 201, "\(text(created))")
        }

        // A walk-in treated by a doctor on duty.
        let doctor = try await supervisor.send("POST", "\(api)/v1/doctors", json: ["name": "孙医生", "specialty": "general", "gender": "GENDER_MALE"])
        let doctorID = try #require(doctor.json["id"] as? String, "\(text(doctor))")
        let days = (1...7).map { ["weekday": $0, "hours": ["start": "00:00", "end": "23:59"]] as [String: Any] }
        #expect(try await supervisor.send("PUT", "\(api)/v1/rosters/\(doctorID)", json: ["days": days]).status == 200)
        let phone = "136\(String(format: "%08d", Int.random(in: 0..<100_000_000)))"
        let patient = try await desk.send("POST", "\(api)/v1/patients", json: ["name": "吴退款", "birthDate": "1975-05-05", "phone": phone])
        let patientID = try #require(patient.json["id"] as? String, "\(text(patient))")
        let checkedIn = try await desk.send("POST", "\(api)/v1/visits", json: ["patientId": patientID, "doctorId": doctorID,
                                                                               "complaint": "补牙", "teeth": [46]])
        #expect(checkedIn.status == 201, "\(text(checkedIn))")
        let visitID = try #require(checkedIn.json["id"] as? String)
        #expect(try await doctorMember.send("POST", "\(api)/v1/visits/\(visitID)/start-treatment", json: [:]).status == 200)
        let done = try await doctorMember.send("POST", "\(api)/v1/visits/\(visitID)/treatment-done", json: [
            "treatments": [["kind": "TREATMENT_KIND_FILLING", "teeth": [46], "feeCodes": ["FILL-01", "XRAY-01"]]],
        ])
        #expect(done.status == 200, "\(text(done))")

        // Billing makes the visit's bill from reception's event.
        var bill: [String: Any] = [:]
        #expect(try await eventually(timeout: .seconds(20)) {
            bill = (try await cashier.get("\(api)/v1/bills?visit_id=\(visitID)").json["bills"] as? [[String: Any]])?.first ?? [:]
            return !bill.isEmpty
        }, "\(stack.logs())")
        let billID = try #require(bill["id"] as? String)
        #expect(fen(bill, "totalFen") == 33_000)
        let today = try #require(bill["serviceDate"] as? String)
        let doctorName = bill["doctorName"] as? String ?? ""

        // A partial payment in cash and its receipt, printed: the first print is the original, the next a copy.
        let partial = try await pay(billID, ["method": "PAYMENT_METHOD_CASH", "amountFen": "20000"])
        #expect(partial.status == 201, "\(text(partial))")
        let receipt = try #require(partial.json["receipt"] as? [String: Any], "\(text(partial))")
        let receiptID = try #require(receipt["id"] as? String)
        let displayNumber = try #require(receipt["displayNumber"] as? String)
        #expect(fen(receipt, "treatmentFeeFen") == 20_000 && fen(receipt, "balanceFen") == 13_000)
        let printed = try await cashier.send("POST", "\(api)/v1/receipts/\(receiptID)/prints", json: [:])
        #expect(printed.status == 200, "\(text(printed))")
        #expect(printed.headers["content-type"] == "text/html; charset=utf-8")
        #expect(text(printed).contains(displayNumber), "\(text(printed))")
        #expect(!text(printed).contains("副本 / COPY"))
        let again = try await cashier.send("POST", "\(api)/v1/receipts/\(receiptID)/prints", json: [:])
        #expect(again.status == 200 && again.headers["content-type"] == "text/html; charset=utf-8")
        #expect(text(again).contains(displayNumber) && text(again).contains("副本 / COPY"), "\(text(again))")

        // A second part by WeChat Pay: two methods used today.
        let wechat = try await pay(billID, ["method": "PAYMENT_METHOD_WECHAT_PAY", "amountFen": 8_000, "reference": "4200001234202607010000000001"])
        #expect(wechat.status == 201, "\(text(wechat))")
        #expect((wechat.json["bill"] as? [String: Any])?["status"] as? String == "BILL_STATUS_PARTLY_PAID")

        // A refund: asked by the doctor (never more than was paid), approved by a supervisor, paid out in cash by the
        // cashier, received by the patient; the doctor cannot approve it, nor the cashier pay it before approval.
        let tooMuch = try await doctorMember.send("POST", "\(api)/v1/refunds", json: ["billId": billID, "amountFen": 28_001,
                                                                                     "reason": "治疗未完成", "firstVisitDate": today])
        #expect(tooMuch.status == 400 && tooMuch.json["code"] as? Int == 9, "\(text(tooMuch))")
        let requested = try await doctorMember.send("POST", "\(api)/v1/refunds", json: ["billId": billID, "amountFen": "5000",
                                                                                       "reason": "治疗未完成", "firstVisitDate": today])
        #expect(requested.status == 201, "\(text(requested))")
        #expect(requested.json["status"] as? String == "REFUND_STATUS_REQUESTED")
        let refundID = try #require(requested.json["id"] as? String)
        #expect(try await doctorMember.send("POST", "\(api)/v1/refunds/\(refundID)/approve", json: [:]).status == 403)
        let early = try await cashier.send("POST", "\(api)/v1/refunds/\(refundID)/pay", json: ["method": "PAYMENT_METHOD_CASH"])
        #expect(early.status == 400 && early.json["code"] as? Int == 9, "\(text(early))")
        let approved = try await supervisor.send("POST", "\(api)/v1/refunds/\(refundID)/approve", json: ["note": "同意退款"])
        #expect(approved.status == 200 && approved.json["status"] as? String == "REFUND_STATUS_APPROVED", "\(text(approved))")
        let paidOut = try await cashier.send("POST", "\(api)/v1/refunds/\(refundID)/pay", json: ["method": "PAYMENT_METHOD_CASH", "note": "现金退还"])
        #expect(paidOut.status == 200 && paidOut.json["status"] as? String == "REFUND_STATUS_PAID", "\(text(paidOut))")
        let received = try await cashier.send("POST", "\(api)/v1/refunds/\(refundID)/received", json: ["note": "患者本人签收"])
        #expect(received.status == 200 && received.json["status"] as? String == "REFUND_STATUS_RECEIVED", "\(text(received))")
        let steps = (received.json["steps"] as? [[String: Any]])?.compactMap { $0["step"] as? String }
        #expect(steps == ["REFUND_STATUS_APPROVED", "REFUND_STATUS_PAID", "REFUND_STATUS_RECEIVED"], "\(text(received))")

        // The patient's billing history shows the bill, both payments and the refund.
        let history = try await desk.get("\(api)/v1/patients/\(patientID)/billing")
        #expect(history.status == 200, "\(text(history))")
        #expect((history.json["bills"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [billID])
        #expect((history.json["payments"] as? [[String: Any]])?.compactMap { $0["method"] as? String }
                == ["PAYMENT_METHOD_CASH", "PAYMENT_METHOD_WECHAT_PAY"], "\(text(history))")
        let refunds = history.json["refunds"] as? [[String: Any]]
        #expect(refunds?.count == 1 && refunds?.first?["id"] as? String == refundID && refunds?.first?["status"] as? String == "REFUND_STATUS_RECEIVED")
        #expect(fen(history.json, "totalFen") == 33_000 && fen(history.json, "paidFen") == 28_000, "\(text(history))")
        #expect(fen(history.json, "refundedFen") == 5_000 && fen(history.json, "balanceFen") == 5_000, "\(text(history))")

        // The daily close: per method the payments less the refund paid out; the day cannot close before every
        // method used is counted.
        let sheet = try await cashier.get("\(api)/v1/daily-closes/\(today)")
        #expect(sheet.status == 200, "\(text(sheet))")
        var methods = Dictionary(((sheet.json["methods"] as? [[String: Any]]) ?? []).map { ($0["method"] as? String ?? "", $0) }) { $1 }
        #expect(Set(methods.keys) == ["PAYMENT_METHOD_CASH", "PAYMENT_METHOD_WECHAT_PAY"], "\(text(sheet))")
        let cash = methods["PAYMENT_METHOD_CASH"]
        #expect(fen(cash, "paymentsFen") == 20_000 && fen(cash, "refundsFen") == 5_000 && fen(cash, "systemFen") == 15_000, "\(text(sheet))")
        let wechatLine = methods["PAYMENT_METHOD_WECHAT_PAY"]
        #expect(fen(wechatLine, "paymentsFen") == 8_000 && fen(wechatLine, "refundsFen") == 0 && fen(wechatLine, "systemFen") == 8_000)
        #expect(sheet.json["closed"] as? Bool != true)
        let tooSoon = try await supervisor.send("POST", "\(api)/v1/daily-closes/\(today)/close", json: [:])
        #expect(tooSoon.status == 400 && tooSoon.json["code"] as? Int == 9, "\(text(tooSoon))")
        #expect((tooSoon.json["message"] as? String)?.contains("cash") == true, "\(text(tooSoon))")
        let cashCount = try await cashier.send("POST", "\(api)/v1/daily-closes/\(today)/counts",
                                               json: ["method": "PAYMENT_METHOD_CASH", "countedFen": "15000", "note": "抽屉现金"])
        #expect(cashCount.status == 201, "\(text(cashCount))")
        let wechatCount = try await cashier.send("POST", "\(api)/v1/daily-closes/\(today)/counts",
                                                 json: ["method": "PAYMENT_METHOD_WECHAT_PAY", "countedFen": 8_000])
        #expect(wechatCount.status == 201, "\(text(wechatCount))")
        methods = Dictionary(((wechatCount.json["methods"] as? [[String: Any]]) ?? []).map { ($0["method"] as? String ?? "", $0) }) { $1 }
        for method in ["PAYMENT_METHOD_CASH", "PAYMENT_METHOD_WECHAT_PAY"] {
            #expect(methods[method]?["counted"] as? Bool == true && fen(methods[method], "differenceFen") == 0, "\(text(wechatCount))")
        }
        #expect(fen(methods["PAYMENT_METHOD_CASH"], "countedFen") == 15_000 && fen(methods["PAYMENT_METHOD_WECHAT_PAY"], "countedFen") == 8_000)
        #expect(try await cashier.send("POST", "\(api)/v1/daily-closes/\(today)/close", json: [:]).status == 403)
        let closed = try await supervisor.send("POST", "\(api)/v1/daily-closes/\(today)/close", json: ["note": "日结无差额"])
        #expect(closed.status == 200 && closed.json["closed"] as? Bool == true, "\(text(closed))")
        #expect(try await cashier.get("\(api)/v1/daily-closes/\(today)").json["closed"] as? Bool == true)

        // Once the day is closed, a further payment that day is refused and the balance stays owed.
        let refused = try await pay(billID, ["method": "PAYMENT_METHOD_CASH", "amountFen": 5_000])
        #expect(refused.status == 400 && refused.json["code"] as? Int == 9, "\(text(refused))")
        #expect((refused.json["message"] as? String)?.contains("closed") == true, "\(text(refused))")
        let after = try await cashier.get("\(api)/v1/bills/\(billID)")
        #expect(fen(after.json, "balanceFen") == 5_000 && after.json["status"] as? String == "BILL_STATUS_PARTLY_PAID", "\(text(after))")

        // The takings report, as data and as CSV, shows the day's two payments (the supervisor's; not the cashier's).
        let range = "from_date=\(today)&to_date=\(today)"
        #expect(try await cashier.get("\(api)/v1/reports/billing/takings?\(range)").status == 403)
        let takings = try await supervisor.get("\(api)/v1/reports/billing/takings?\(range)")
        #expect(takings.status == 200, "\(text(takings))")
        #expect(takings.json["fromDate"] as? String == today && takings.json["toDate"] as? String == today)
        #expect(fen(takings.json, "totalFen") == 28_000, "\(text(takings))")
        let rows = Dictionary(((takings.json["rows"] as? [[String: Any]]) ?? []).map { ($0["method"] as? String ?? "", $0) }) { $1 }
        #expect(Set(rows.keys) == ["PAYMENT_METHOD_CASH", "PAYMENT_METHOD_WECHAT_PAY"], "\(text(takings))")
        #expect(fen(rows["PAYMENT_METHOD_CASH"], "amountFen") == 20_000 && (rows["PAYMENT_METHOD_CASH"]?["payments"] as? NSNumber)?.intValue == 1)
        #expect(fen(rows["PAYMENT_METHOD_WECHAT_PAY"], "amountFen") == 8_000 && (rows["PAYMENT_METHOD_WECHAT_PAY"]?["payments"] as? NSNumber)?.intValue == 1)
        #expect(rows.values.allSatisfy { $0["day"] as? String == today && ($0["doctorName"] as? String ?? "") == doctorName }, "\(text(takings))")
        let csv = try await supervisor.get("\(api)/v1/reports/billing/takings.csv?\(range)")
        #expect(csv.status == 200 && csv.headers["content-type"] == "text/csv; charset=utf-8", "\(text(csv))")
        let lines = text(csv).split(whereSeparator: \.isNewline).map { String($0) }
        #expect(lines.first == "day,method,doctor,payments,amount_fen,amount_yuan", "\(text(csv))")
        #expect(lines.contains("\(today),cash,\(doctorName),1,20000,200.00"), "\(text(csv))")
        #expect(lines.contains("\(today),wechat_pay,\(doctorName),1,8000,80.00"), "\(text(csv))")
        #expect(try await cashier.get("\(api)/v1/reports/billing/takings.csv?\(range)").status == 403)
    }
}

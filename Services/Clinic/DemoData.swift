import ClinicService
import Foundation
import Logging

/// A small demo clinic loaded through the public API: patients, doctors, chairs, weekly rosters, a few appointments
/// and a morning's waiting queue, so a newcomer can try search, slots, booking, check-in and the queue at once.
/// Loading twice adds nothing.
enum DemoData {
    static var patients: [[String: Any]] { [
        ["name": "王伟", "gender": "GENDER_MALE", "birthDate": "1985-03-12", "phone": "13800000001", "sourceChannel": "SOURCE_CHANNEL_WALK_IN"],
        ["name": "李娜", "gender": "GENDER_FEMALE", "birthDate": "1992-07-28", "phone": "13900000002", "sourceChannel": "SOURCE_CHANNEL_PHONE",
         "allergies": ["青霉素"], "medicalHistory": ["高血压"]],
        ["name": "张敏", "gender": "GENDER_FEMALE", "birthDate": "2015-11-03", "phone": "13700000003", "sourceChannel": "SOURCE_CHANNEL_REFERRAL",
         "referrer": "李娜"],
        ["name": "Chen Jie", "gender": "GENDER_MALE", "birthDate": "1978-01-20", "phone": "15000000004", "sourceChannel": "SOURCE_CHANNEL_ONLINE", "vip": true],
    ] }

    /// A doctor of the demo clinic with the Saturday hours they work (nil: the usual day).
    struct DemoDoctor {
        let name: String
        let specialty: String
        let gender: String
        let title: String
        let saturday: (start: String, end: String)?
    }

    static let doctors = [
        DemoDoctor(name: "刘建国", specialty: "general", gender: "GENDER_MALE", title: "主治医师", saturday: nil),
        DemoDoctor(name: "陈静", specialty: "orthodontics", gender: "GENDER_FEMALE", title: "副主任医师", saturday: nil),
        DemoDoctor(name: "赵强", specialty: "implants", gender: "GENDER_MALE", title: "主任医师", saturday: nil),
        // Works a half day on Saturdays.
        DemoDoctor(name: "孙丽", specialty: "pediatric", gender: "GENDER_FEMALE", title: "主治医师", saturday: ("09:00", "12:00")),
    ]

    /// The doctor on call: on duty every hour of every day, so the demo queue has someone to wait for whenever the
    /// demo is tried.
    static let onCall = DemoDoctor(name: "周值班", specialty: "general", gender: "GENDER_MALE", title: "住院医师", saturday: nil)

    /// Walk-ins of the demo morning: name, phone, what they come about, whether it is an emergency, the gender of
    /// doctor they ask for ("" for none).
    static let walkIns: [(name: String, phone: String, complaint: String, emergency: Bool, gender: String)] = [
        ("吴刚", "13600000011", "右上后牙冷热痛", false, ""),
        ("郑洁", "13600000012", "想洗牙", false, "GENDER_FEMALE"),
        ("冯磊", "13600000013", "外伤, 门牙折断", true, ""),
        ("何芳", "13600000014", "牙龈出血", false, ""),
        ("许安", "13600000015", "智齿发炎", false, ""),
    ]

    static let chairs: [[String: String]] = [
        ["name": "1号椅", "room": "诊室 1"], ["name": "2号椅", "room": "诊室 2"],
        ["name": "3号椅", "room": "诊室 3"], ["name": "4号椅", "room": "儿童诊室"],
    ]

    /// The demo clinic's fee schedule (收费项目), as `clinic fees import` takes it; prices in fen.
    static let feeSchedule = """
        code,name,category,unit_price_fen,active_from,active_to
        EXAM-01,口腔检查,examination,2000,2020-01-01,
        XRAY-01,根尖片,examination,5000,2020-01-01,
        CLEAN-01,洗牙,treatment,18000,2020-01-01,
        FILL-01,树脂充填,treatment,28000,2020-01-01,
        RCT-01,根管治疗,treatment,120000,2020-01-01,
        EXTRACT-01,拔牙,treatment,30000,2020-01-01,
        FLUOR-01,儿童涂氟,treatment,8000,2020-01-01,
        ANES-01,局部麻醉,drug,3000,2020-01-01,
        GLASS-01,玻璃离子材料,material,6000,2020-01-01,
        """

    /// Demo patient (by index) → doctor (by index), duration and procedure of the appointment booked for them.
    static let bookings: [(patient: Int, doctor: Int, minutes: Int, procedure: String)] = [
        (0, 0, 30, "洗牙"), (1, 1, 45, "正畸复诊"), (2, 3, 30, "儿童涂氟"), (3, 2, 60, "种植咨询"),
    ]

    /// Loads the demo clinic through the gateway at `api`: signs in as `admin`, adds the demo staff (one member per
    /// role), then signs in as the demo supervisor to load the rest.
    static func load(api: String, admin: (account: String, password: String), logger: Logger) throws {
        let adminClient = try GatewayClient.signedIn(api: api, account: admin.account, password: admin.password)
        for member in StaffBootstrap.demoMembers {
            _ = try adminClient.send("POST", "/v1/staff", ["account": member.account, "name": member.name, "roles": [member.role],
                                                           "team": "演示", "password": StaffBootstrap.demoPassword],
                                     expect: [201, 409])
        }
        // The fee schedule, once: a second load finds it and leaves it as it is.
        if try adminClient.send("GET", "/v1/fee-items/FILL-01", expect: [200, 404]).status == 404 {
            _ = try adminClient.send("POST", "/v1/fee-items:import", ["csv": feeSchedule], expect: [200])
        }
        let client = try GatewayClient.signedIn(api: api, account: "demo.supervisor", password: StaffBootstrap.demoPassword)
        let patientIDs = try registerPatients(client)
        let doctorIDs = try ensureDoctors(client)
        let chairIDs = try ensureChairs(client)
        for (doctor, id) in zip(doctors, doctorIDs) {
            _ = try client.send("PUT", "/v1/rosters/\(id)", ["days": weeklyRoster(saturday: doctor.saturday)], expect: [200])
        }
        var booked = 0
        for booking in bookings {
            if try book(booking, patient: patientIDs[booking.patient], doctor: doctorIDs[booking.doctor],
                        chair: chairIDs[booking.doctor], client: client) { booked += 1 }
        }
        let onCallID = try ensureDoctors(client, [onCall])[0]
        _ = try client.send("PUT", "/v1/rosters/\(onCallID)", ["days": (1...7).map { ["weekday": $0, "hours": ["start": "00:00", "end": "23:59"]] }],
                            expect: [200])
        let desk = try GatewayClient.signedIn(api: api, account: "demo.desk", password: StaffBootstrap.demoPassword)
        let queued = try checkInMorning(desk, booked: patientIDs, onCall: onCallID)
        let cashier = try GatewayClient.signedIn(api: api, account: "demo.cashier", password: StaffBootstrap.demoPassword)
        let billed = try billAndPay(cashier, patients: patientIDs)
        let service = try GatewayClient.signedIn(api: api, account: "demo.service", password: StaffBootstrap.demoPassword)
        let calls = try followUpDay(service, patients: patientIDs)
        logger.info("demo data loaded", metadata: ["patients": "\(patientIDs.count + walkIns.count)", "doctors": "\(doctorIDs.count + 1)",
                                                   "chairs": "\(chairIDs.count)", "appointments_booked": "\(booked)",
                                                   "checked_in": "\(queued)", "bills": "\(billed)", "follow_ups_today": "\(calls)"])
    }

    /// Two bills made at the cashier's, once: 王伟's cleaning and examination paid in cash, 李娜's root canal and
    /// X-ray part-paid by WeChat Pay (a balance still owed). A patient who already has a bill is left as they are.
    private static func billAndPay(_ cashier: GatewayClient, patients: [String]) throws -> Int {
        let demoBills: [(patient: Int, name: String, codes: [String], payment: [String: Any])] = [
            (0, "王伟", ["CLEAN-01", "EXAM-01"], ["method": "PAYMENT_METHOD_CASH", "amountFen": "20000", "tenderedFen": "20000"]),
            (1, "李娜", ["RCT-01", "XRAY-01"], ["method": "PAYMENT_METHOD_WECHAT_PAY", "amountFen": "50000",
                                              "reference": "4200002026120700000000000001"]),
        ]
        var made = 0
        for bill in demoBills {
            let patient = patients[bill.patient]
            let existing = try cashier.send("GET", "/v1/bills?patient_id=\(patient)", expect: [200]).json["bills"] as? [Any] ?? []
            guard existing.isEmpty else { continue }
            let created = try cashier.send("POST", "/v1/bills", ["patientId": patient, "patientName": bill.name,
                                                                 "lines": bill.codes.map { ["feeCode": $0] }], expect: [201])
            let id = try cashier.id(of: created)
            _ = try cashier.send("POST", "/v1/bills/\(id)/payments", bill.payment, expect: [201],
                                 headers: ["Idempotency-Key": "demo-\(id)"])
            made += 1
        }
        return made
    }

    /// Today's follow-up calls for the demo customer-service member (客服小赵), once: a call to each demo patient due
    /// today, and a complaint about the wait. Their booked appointments add reminders and confirmations by themselves.
    private static func followUpDay(_ service: GatewayClient, patients: [String]) throws -> Int {
        let purposes = ["洗牙后回访：有无牙龈出血", "正畸复诊后回访：托槽有无脱落", "儿童涂氟后回访：饮食注意事项", "种植咨询后跟进：是否决定手术"]
        var made = 0
        for (index, (patient, demo)) in zip(patients, DemoData.patients).enumerated() {
            let existing = try service.send("GET", "/v1/follow-ups?patient_id=\(patient)&kind=TASK_KIND_MANUAL", expect: [200])
                .json["tasks"] as? [Any] ?? []
            guard existing.isEmpty else { continue }
            let body: [String: Any] = ["patientId": patient, "purpose": purposes[index % purposes.count],
                                       "dueDate": ClinicToday.date(), "patientName": demo["name"] ?? "", "phone": demo["phone"] ?? ""]
            _ = try service.send("POST", "/v1/follow-ups", body, expect: [201])
            made += 1
        }
        let complaints = try service.send("GET", "/v1/complaints", expect: [200]).json["complaints"] as? [Any] ?? []
        if complaints.isEmpty, let first = patients.first {
            _ = try service.send("POST", "/v1/complaints", ["patientId": first, "patientName": "王伟", "channel": "CHANNEL_PHONE",
                                                            "category": "COMPLAINT_CATEGORY_SERVICE_ATTITUDE",
                                                            "description": "候诊时间太长，前台没有说明原因"], expect: [201])
        }
        return made
    }

    /// The morning's queue, checked in by the desk: the booked demo patients for their appointments (their doctor's
    /// queue, or waiting for a covering doctor when the doctor is off now), and the walk-ins with the doctor on call
    /// (an emergency among them, and one who asks for a female doctor). A patient already in today's queue answers
    /// 409 and is left as they are.
    private static func checkInMorning(_ desk: GatewayClient, booked patients: [String], onCall: String) throws -> Int {
        var checkedIn = 0
        for patient in patients {
            let upcoming = try desk.send("GET", "/v1/patients/\(patient)/appointments", expect: [200]).json["upcoming"] as? [[String: Any]] ?? []
            var body: [String: Any] = ["patientId": patient]
            if let appointment = upcoming.first?["id"] as? String { body["appointmentId"] = appointment }
            if try desk.send("POST", "/v1/visits", body, expect: [201, 409]).status == 201 { checkedIn += 1 }
        }
        for walkIn in walkIns {
            let registered = try desk.send("POST", "/v1/patients", ["name": walkIn.name, "birthDate": "1990-01-01", "phone": walkIn.phone,
                                                                    "sourceChannel": "SOURCE_CHANNEL_WALK_IN"], expect: [201, 409])
            let id = registered.status == 201 ? registered.json["id"] as? String
                : (registered.json["details"] as? [[String: Any]])?.first { $0["field"] as? String == "existingPatientId" }?["description"] as? String
            guard let id else { throw StackError("a demo walk-in is on file but the gateway did not say which record") }
            var body: [String: Any] = ["patientId": id, "complaint": walkIn.complaint]
            if walkIn.emergency { body["kind"] = "VISIT_KIND_EMERGENCY" }
            if walkIn.gender.isEmpty { body["doctorId"] = onCall } else { body["requestedDoctorGender"] = walkIn.gender }
            if try desk.send("POST", "/v1/visits", body, expect: [201, 409]).status == 201 { checkedIn += 1 }
        }
        return checkedIn
    }

    /// Monday to Saturday 09:00–17:30 with a 12:00–13:30 break; `saturday` replaces Saturday's hours (no break).
    static func weeklyRoster(saturday: (start: String, end: String)?) -> [[String: Any]] {
        (1...6).map { weekday in
            if weekday == 6, let saturday {
                return ["weekday": weekday, "hours": ["start": saturday.start, "end": saturday.end]]
            }
            return ["weekday": weekday, "hours": ["start": "09:00", "end": "17:30"],
                    "breaks": [["start": "12:00", "end": "13:30"]]]
        }
    }

    /// Registers the demo patients; one already on file answers 409 naming its id, which is used instead.
    private static func registerPatients(_ client: GatewayClient) throws -> [String] {
        try patients.map { patient in
            let answer = try client.send("POST", "/v1/patients", patient, expect: [201, 409])
            if answer.status == 201, let id = answer.json["id"] as? String { return id }
            let details = answer.json["details"] as? [[String: Any]] ?? []
            guard let id = details.first(where: { $0["field"] as? String == "existingPatientId" })?["description"] as? String else {
                throw StackError("a demo patient is on file but the gateway did not say which record")
            }
            return id
        }
    }

    /// The demo doctors' ids, creating the ones not on file (matched by name).
    private static func ensureDoctors(_ client: GatewayClient, _ doctors: [DemoDoctor] = DemoData.doctors) throws -> [String] {
        let listed = try client.send("GET", "/v1/doctors?include_inactive=true", expect: [200]).json["doctors"] as? [[String: Any]] ?? []
        return try doctors.map { doctor in
            if let id = listed.first(where: { $0["name"] as? String == doctor.name })?["id"] as? String { return id }
            let body = ["name": doctor.name, "specialty": doctor.specialty, "gender": doctor.gender, "title": doctor.title]
            return try client.id(of: client.send("POST", "/v1/doctors", body, expect: [201]))
        }
    }

    /// The demo chairs' ids, creating the ones not on file (matched by name).
    private static func ensureChairs(_ client: GatewayClient) throws -> [String] {
        let listed = try client.send("GET", "/v1/chairs?include_inactive=true", expect: [200]).json["chairs"] as? [[String: Any]] ?? []
        return try chairs.map { chair in
            if let id = listed.first(where: { $0["name"] as? String == chair["name"] })?["id"] as? String { return id }
            return try client.id(of: client.send("POST", "/v1/chairs", chair, expect: [201]))
        }
    }

    /// Books the patient's demo appointment in the doctor's first free slot, unless they already have one coming.
    private static func book(_ booking: (patient: Int, doctor: Int, minutes: Int, procedure: String), patient: String,
                             doctor: String, chair: String, client: GatewayClient) throws -> Bool {
        let upcoming = try client.send("GET", "/v1/patients/\(patient)/appointments", expect: [200]).json["upcoming"] as? [Any] ?? []
        guard upcoming.isEmpty else { return false }
        // Scheduling learns of new patients from reception's events: give it a moment if it has not yet.
        for attempt in 1...20 {
            let slots = try client.send("GET", "/v1/slots?doctor_id=\(doctor)&chair_id=\(chair)&duration_minutes=\(booking.minutes)&count=1",
                                        expect: [200]).json["slots"] as? [[String: Any]] ?? []
            guard let start = slots.first?["startTime"] as? String else {
                throw StackError("no free slot found for a demo doctor")
            }
            let body: [String: Any] = ["patientId": patient, "doctorId": doctor, "chairId": chair, "startTime": start,
                                       "durationMinutes": booking.minutes, "procedure": booking.procedure,
                                       "source": "BOOKING_SOURCE_DESK", "notes": "demo"]
            let answer = try client.send("POST", "/v1/appointments", body, expect: [201, 404, 409])
            if answer.status == 201 { return true }
            if attempt < 20 { Thread.sleep(forTimeInterval: 0.25) }
        }
        throw StackError("a demo appointment could not be booked: scheduling does not know the patient yet")
    }
}

/// Today in the clinic's time zone (the stack's default, Asia/Shanghai, or CLINIC_TIME_ZONE), YYYY-MM-DD.
enum ClinicToday {
    static func date() -> String {
        let zone = ProcessInfo.processInfo.environment["CLINIC_TIME_ZONE"].flatMap(TimeZone.init(identifier:))
            ?? TimeZone(identifier: "Asia/Shanghai")!
        return ClinicClock(timeZone: zone).today().description
    }
}

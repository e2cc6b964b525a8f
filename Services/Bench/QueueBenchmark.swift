import ArgumentParser
import Foundation

/// `clinic-bench queue`: the waiting-queue view through a running gateway with 200 patients waiting over 20 doctors,
/// each doctor with 20 treatments behind them (so every estimate reads a real median): paced at about 500 req/s for
/// the p99 target, and flat out for the limit, beside a bare Hummingbird hello-world measured the same way.
struct QueueBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "GET /v1/queue (the whole clinic, and one doctor's) with 200 waiting over 20 doctors, paced and flat out.")

    @OptionGroup var target: GatewayTarget

    @Option(help: "Seconds per case.")
    var seconds: Int = 5

    @Option(help: "Doctors.")
    var doctors: Int = 20

    @Option(help: "Patients waiting per doctor.")
    var waitingPerDoctor: Int = 10

    @Option(help: "Requests per second of the paced runs.")
    var rate: Int = 500

    @Option(help: "Where to write the JSON results.")
    var output: String = "bench-results/queue.json"

    func run() async throws {
        let (load, admin) = try await target.start(connections: 64, seconds: seconds)
        let supervisor = try await load.member("bench.supervisor", name: "压测主管", role: "STAFF_ROLE_SUPERVISOR", admin: admin)
        let desk = try await load.member("bench.queue.desk", name: "压测前台", role: "STAFF_ROLE_DESK", admin: admin)
        let doctor = try await load.member("bench.doctor", name: "压测医生", role: "STAFF_ROLE_DOCTOR", admin: admin)
        let started = Date()
        let doctorIDs = try await seed(load, supervisor: supervisor, desk: desk, doctor: doctor)
        print(String(format: "  seeded %d doctors, %d waiting, %d treatments done in %.0f s", doctorIDs.count, doctorIDs.count * waitingPerDoctor,
                     doctorIDs.count * 20, Date().timeIntervalSince(started)))

        // Paced: each connection waits between requests so that together they send about `rate` per second; the wait
        // is set from a short calibration run (wrk's own latency counts towards each connection's cycle).
        let flat = try GatewayLoad.script(Self.perDoctorScript(doctorIDs, delayMilliseconds: 0), named: "queue-doctor-flat")
        defer { try? FileManager.default.removeItem(at: flat) }
        let hello = try await HelloWorldServer.serving { url in
            (paced: try paced(load, name: "hello-world, paced", url: url, token: nil) { Self.pacedScript(delayMilliseconds: $0) },
             flat: try load.wrk(name: "hello-world, flat out", url: url))
        }
        var results = [hello.paced, hello.flat]
        results.append(try paced(load, name: "GET /v1/queue (whole clinic, 200 waiting), paced", url: "\(target.gateway)/v1/queue", token: desk) {
            Self.pacedScript(delayMilliseconds: $0)
        })
        results.append(try paced(load, name: "GET /v1/queue?doctor_id= (one of 20), paced", url: "\(target.gateway)/v1/queue", token: desk) {
            Self.perDoctorScript(doctorIDs, delayMilliseconds: $0)
        })
        results.append(try load.wrk(name: "GET /v1/queue (whole clinic), flat out", url: "\(target.gateway)/v1/queue", token: desk))
        results.append(try load.wrk(name: "GET /v1/queue?doctor_id=, flat out", url: "\(target.gateway)/v1/queue", script: flat.path, token: desk))
        for result in results {
            print("  " + result.line)
            result.cpu.map { print("    " + $0.line) }
        }
        let report = QueueBenchReport(doctors: doctorIDs.count, waiting: doctorIDs.count * waitingPerDoctor, targetRate: rate,
                                      targetP99Milliseconds: 20, results: results,
                                      wholeClinicFlatToHelloWorld: results[4].requestsPerSecond / max(1, hello.flat.requestsPerSecond),
                                      oneDoctorFlatToHelloWorld: results[5].requestsPerSecond / max(1, hello.flat.requestsPerSecond))
        print(String(format: "queue flat out / hello-world: whole clinic %.2f, one doctor %.2f", report.wholeClinicFlatToHelloWorld,
                     report.oneDoctorFlatToHelloWorld))
        try writeReport(report, to: output)
    }

    /// Connections of a paced run.
    static let pacedConnections = 10

    /// A run at about `rate` requests per second: a two-second calibration at the nominal wait shows how long a
    /// connection's cycle really takes, and the measured run waits that much less.
    private func paced(_ load: GatewayLoad, name: String, url: String, token: String?, script: (Int) -> String) throws -> WrkResult {
        let cycle = 1000.0 * Double(Self.pacedConnections) / Double(rate)
        let nominal = max(1, Int(cycle))
        let calibrationScript = try GatewayLoad.script(script(nominal), named: "calibrate")
        defer { try? FileManager.default.removeItem(at: calibrationScript) }
        let calibrationLoad = GatewayLoad(gateway: load.gateway, threads: load.threads, connections: Self.pacedConnections, seconds: 2)
        let calibration = try calibrationLoad.wrk(name: "calibration", url: url, script: calibrationScript.path, token: token)
        let overhead = calibration.requestsPerSecond > 0 ? 1000.0 * Double(Self.pacedConnections) / calibration.requestsPerSecond - Double(nominal) : 0
        let delay = max(1, Int((cycle - overhead).rounded()))
        let measured = try GatewayLoad.script(script(delay), named: "paced")
        defer { try? FileManager.default.removeItem(at: measured) }
        return try load.wrk(name: name, url: url, script: measured.path, token: token, connections: Self.pacedConnections)
    }

    /// 20 doctors on duty around the clock, each with 20 treatments done and then 10 waiting: an emergency, 4 booked
    /// (appointments later today) and 5 walk-ins. Returns the doctors' ids.
    private func seed(_ load: GatewayLoad, supervisor: String, desk: String, doctor: String) async throws -> [String] {
        let run = Int.random(in: 0..<1_000_000)
        var ids: [String] = []
        var phone = Int.random(in: 0..<50_000_000)
        func patient() async throws -> String {
            phone += 1
            let answer = try await load.require("POST", "/v1/patients", ["name": "排队\(run)-\(phone)", "birthDate": "1990-01-01",
                                                                        "phone": String(format: "147%08d", phone % 100_000_000)],
                                                token: desk, expect: [201])
            return answer["id"] as? String ?? ""
        }
        let days = (1...7).map { ["weekday": $0, "hours": ["start": "00:00", "end": "23:59"]] as [String: Any] }
        for index in 0..<doctors {
            let created = try await load.require("POST", "/v1/doctors", ["name": "压测医生\(run)-\(index)", "specialty": "general",
                                                                        "gender": index % 2 == 0 ? "GENDER_MALE" : "GENDER_FEMALE"],
                                                 token: supervisor, expect: [201])
            let id = created["id"] as? String ?? ""
            _ = try await load.require("PUT", "/v1/rosters/\(id)", ["days": days], token: supervisor, expect: [200])
            ids.append(id)
        }
        for id in ids {
            for _ in 0..<20 {
                let visit = try await load.require("POST", "/v1/visits", ["patientId": try await patient(), "doctorId": id],
                                                   token: desk, expect: [201])["id"] as? String ?? ""
                _ = try await load.require("POST", "/v1/visits/\(visit)/start-treatment", [:], token: doctor, expect: [200])
                _ = try await load.require("POST", "/v1/visits/\(visit)/treatment-done",
                                           ["treatments": [["kind": "TREATMENT_KIND_CLEANING", "feeCodes": ["CLEAN-01"]]]],
                                           token: doctor, expect: [200])
                _ = try await load.require("POST", "/v1/visits/\(visit)/leave", ["reason": "bench"], token: desk, expect: [200])
            }
        }
        let now = (Date().timeIntervalSince1970 / 60).rounded(.down) * 60
        for id in ids {
            for slot in 0..<waitingPerDoctor {
                let patientID = try await patient()
                var body: [String: Any] = ["patientId": patientID, "doctorId": id]
                if slot == 0 { body["kind"] = "VISIT_KIND_EMERGENCY" }
                if (1...4).contains(slot) {
                    let start = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: now + Double(30 + slot * 10) * 60))
                    let booked = try await load.require("POST", "/v1/appointments", ["patientId": patientID, "doctorId": id, "startTime": start,
                                                                                    "durationMinutes": 10], token: desk, expect: [201])
                    body = ["patientId": patientID, "appointmentId": booked["id"] as? String ?? ""]
                }
                _ = try await load.require("POST", "/v1/visits", body, token: desk, expect: [201])
            }
        }
        return ids
    }

    /// Every request the same; each connection waits `delay` ms after each answer.
    static func pacedScript(delayMilliseconds delay: Int) -> String {
        "function delay() return \(delay) end\n"
    }

    /// Each request one doctor's queue, chosen at random; each connection waits `delay` ms after each answer.
    static func perDoctorScript(_ doctorIDs: [String], delayMilliseconds delay: Int) -> String {
        let list = doctorIDs.map { "\"\($0)\"" }.joined(separator: ",")
        return """
            local doctors = {\(list)}
            function request()
              return wrk.format("GET", "/v1/queue?doctor_id=" .. doctors[math.random(#doctors)])
            end
            \(delay > 0 ? "function delay() return \(delay) end" : "")
            """
    }
}

/// What `clinic-bench queue` writes to its JSON file.
struct QueueBenchReport: Codable {
    var doctors: Int
    var waiting: Int
    var targetRate: Int
    var targetP99Milliseconds: Double
    var results: [WrkResult]
    /// Whole-clinic view flat-out throughput / hello-world flat-out throughput.
    var wholeClinicFlatToHelloWorld: Double
    /// One doctor's view flat-out throughput / hello-world flat-out throughput.
    var oneDoctorFlatToHelloWorld: Double
}

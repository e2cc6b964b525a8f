import ArgumentParser
import ClinicStore
import FollowUp
import Foundation
import Logging

/// `clinic-bench follow-ups`: a person's work list with 1,000,000 tasks in follow-up's table (seeded straight into its
/// schema), and plan generation (the pure generator in process, and PreviewPlan through the gateway), beside the
/// hello-world.
struct FollowUpBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "follow-ups",
        abstract: "GET /v1/follow-ups/work-list with 1,000,000 tasks in the table, and plan generation, beside the hello-world.")

    @OptionGroup var target: GatewayTarget

    @Option(help: "Follow-up's database (libpq URL or key=value); default: from --state-dir's role passwords and --pg-port.")
    var databaseURL: String?

    @Option(help: "clinic up's state directory (for follow-up's role password).")
    var stateDir: String = ".clinic"

    @Option(help: "The port of clinic up's PostgreSQL.")
    var pgPort: Int = 5432

    @Option(help: "Tasks in the table while the work list is read.")
    var tasks: Int = 1_000_000

    @Option(help: "Seconds of load per run.")
    var seconds: Int = 10

    @Option(help: "Requests in flight (wrk connections).")
    var connections: Int = 4

    @Option(help: "Plans the in-process generator makes.")
    var plans: Int = 200_000

    @Option(help: "Where to write the JSON results.")
    var output: String = "bench-results/follow-ups.json"

    func run() async throws {
        let (load, admin) = try await target.start(connections: connections, seconds: seconds)
        let caller = try await load.member("bench.caller", name: "压测客服", role: "STAFF_ROLE_CUSTOMER_SERVICE", admin: admin)
        guard let member = Self.memberID(ofToken: caller) else { throw ValidationError("the sign-in token names no member") }

        // The table: `tasks` rows over 2,000 people and two years, most of them done; the bench member holds 40 open
        // calls due today or overdue, 200 due later and 500 done.
        let db = try Connection(url: try databaseURL ?? followUpURL(), logger: Logger(label: "clinic.bench.follow-ups"))
        defer { db.close() }
        let seeded = Date()
        let total = try Self.seed(tasks: tasks, member: member, on: db)
        print(String(format: "  %d tasks in the table (seeded in %.1f s); the caller has %d open tasks due today or earlier",
                     total, Date().timeIntervalSince(seeded), try Self.openDue(member, on: db)))

        let hello = try await HelloWorldServer.serving { url in try load.wrk(name: "hello-world, \(connections) in flight", url: url) }
        let own = try load.wrk(name: "GET /v1/follow-ups/work-list (own, \(connections) in flight)", url: "\(target.gateway)/v1/follow-ups/work-list",
                               token: caller)
        let one = GatewayLoad(gateway: target.gateway, threads: 1, connections: 1, seconds: seconds)
        let single = try one.wrk(name: "GET /v1/follow-ups/work-list (own, 1 in flight)", url: "\(target.gateway)/v1/follow-ups/work-list",
                                 token: caller)
        let preview = try GatewayLoad.script(Self.previewScript, named: "preview-plan")
        defer { try? FileManager.default.removeItem(at: preview) }
        let previewRun = try load.wrk(name: "POST /v1/follow-up-rules:preview (\(connections) in flight)",
                                      url: "\(target.gateway)/v1/follow-up-rules:preview", script: preview.path, token: caller)
        for result in [hello, own, single, previewRun] {
            print("  " + result.line)
            result.cpu.map { print("    " + $0.line) }
        }

        // The generator itself, in process: random visits of one to three treatment kinds.
        let kinds = FollowUpPlanner.treatmentKindNames
        let zone = TimeZone(identifier: "Asia/Shanghai")!
        var generator = SystemRandomNumberGenerator()
        let visits = (0..<1000).map { _ in (0..<Int.random(in: 1...3, using: &generator)).map { _ in kinds.randomElement(using: &generator)! } }
        let started = ContinuousClock.now
        var calls = 0
        for index in 0..<plans {
            calls += FollowUpPlanner.defaultPlanSize(kinds: visits[index % visits.count], treatedAt: Date(timeIntervalSince1970: 1_796_000_000 + Double(index)),
                                                     timeZone: zone)
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let plansPerSecond = Double(plans) / seconds
        print(String(format: "  plan generator in process: %d plans (%d calls) in %.2f s: %.0f plans/s, %.1f µs per plan",
                     plans, calls, seconds, plansPerSecond, seconds / Double(plans) * 1e6))
        let report = FollowUpBenchReport(tasksInTable: total, connections: connections, seconds: self.seconds, helloWorld: hello, workList: own,
                                         workListSingle: single, previewPlan: previewRun, generatorPlans: plans,
                                         generatorPlansPerSecond: plansPerSecond,
                                         workListToHelloWorld: own.requestsPerSecond / max(1, hello.requestsPerSecond),
                                         workListP99TargetMetMilliseconds: 10, workListP99Met: own.p99Milliseconds < 10 && single.p99Milliseconds < 10)
        print(String(format: "work list / hello-world throughput: %.3f; work list p99 %.2f ms (%d in flight), %.2f ms (1 in flight): target < 10 ms %@",
                     report.workListToHelloWorld, own.p99Milliseconds, connections, single.p99Milliseconds, report.workListP99Met ? "met" : "NOT met"))
        try writeReport(report, to: output)
    }

    /// Follow-up's connection from clinic up's state directory and PostgreSQL port.
    private func followUpURL() throws -> String {
        let file = URL(fileURLWithPath: stateDir).appendingPathComponent("role-passwords")
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        guard let line = lines.first(where: { $0.hasPrefix("followup:") }) else {
            throw ValidationError("\(file.path) has no password for followup")
        }
        return "host=127.0.0.1 port=\(pgPort) dbname=postgres user=followup password='\(line.dropFirst("followup:".count))'"
    }

    /// Fills the table up to `tasks` rows and gives `member` their calls; the row count.
    static func seed(tasks: Int, member: UUID, on db: Connection) throws -> Int {
        let existing: Int = try db.query("SELECT count(*)::int AS n FROM tasks").first?.decode("n") ?? 0
        let mine: Int = try db.query("SELECT count(*)::int AS n FROM tasks WHERE assignee_id = \(member)").first?.decode("n") ?? 0
        if mine == 0 {
            try db.execute("""
                INSERT INTO tasks (id, kind, status, patient_id, patient_name, phone, purpose, due_date, due_by, assignee_id, team,
                                   closed_at, closed_by, created_by, created_at)
                SELECT gen_random_uuid(), 'clinical', CASE WHEN i <= 240 THEN 'open' ELSE 'done' END, gen_random_uuid(), '压测患者', '13800000000',
                       '压测回访', d, d, \(member), 'customer_service', CASE WHEN i <= 240 THEN NULL ELSE now() END,
                       CASE WHEN i <= 240 THEN '' ELSE 'bench' END, 'bench', now()
                FROM generate_series(1, 740) AS i,
                     LATERAL (SELECT CASE WHEN i <= 40 THEN current_date - (i % 6)::int WHEN i <= 240 THEN current_date + 1 + (i % 300)::int
                                          ELSE current_date - 1 - (i % 300)::int END AS d) AS due
                """)
        }
        let missing = tasks - existing - (mine == 0 ? 740 : 0)
        if missing > 0 {
            // 2,000 other people, two years of due days; a task more than a week past is done, the rest open.
            try db.execute("""
                INSERT INTO tasks (id, kind, status, patient_id, patient_name, phone, purpose, due_date, due_by, assignee_id, team,
                                   closed_at, closed_by, created_by, created_at)
                SELECT gen_random_uuid(), 'clinical', CASE WHEN d < current_date - 7 THEN 'done' ELSE 'open' END, gen_random_uuid(), '压测患者',
                       '13800000000', '压测回访', d, d, people.id, 'customer_service',
                       CASE WHEN d < current_date - 7 THEN now() END, CASE WHEN d < current_date - 7 THEN 'bench' ELSE '' END, 'bench', now()
                FROM generate_series(1, \(missing)) AS i,
                     LATERAL (SELECT current_date - 365 + ((i * 7919) % 730)::int AS d) AS due,
                     LATERAL (SELECT md5('bench-person-' || (i % 2000)::text)::uuid AS id) AS people
                """)
            try db.execute("ANALYZE tasks")
        }
        return try db.query("SELECT count(*)::int AS n FROM tasks").first?.decode("n") ?? 0
    }

    /// The member's open tasks due today or earlier.
    static func openDue(_ member: UUID, on db: Connection) throws -> Int {
        try db.query("SELECT count(*)::int AS n FROM tasks WHERE assignee_id = \(member) AND status = 'open' AND due_date <= current_date")
            .first?.decode("n") ?? 0
    }

    /// The member id (`sub`) a signed token carries.
    static func memberID(ofToken token: String) -> UUID? {
        let parts = token.split(separator: ".")
        guard parts.count == 3 else { return nil }
        var payload = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while payload.count % 4 != 0 { payload += "=" }
        guard let data = Data(base64Encoded: payload),
              let claims = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let sub = claims["sub"] as? String else { return nil }
        return UUID(uuidString: sub)
    }

    /// A PreviewPlan of an extraction and a filling.
    static let previewScript = """
        wrk.method = "POST"
        wrk.headers["Content-Type"] = "application/json"
        wrk.body = '{"treatments":[{"kind":"TREATMENT_KIND_EXTRACTION","teeth":[38]},{"kind":"TREATMENT_KIND_FILLING","teeth":[36]}]}'
        """
}

/// What `clinic-bench follow-ups` writes to its JSON file.
struct FollowUpBenchReport: Codable {
    var tasksInTable: Int
    var connections: Int
    var seconds: Int
    var helloWorld: WrkResult
    var workList: WrkResult
    var workListSingle: WrkResult
    var previewPlan: WrkResult
    var generatorPlans: Int
    var generatorPlansPerSecond: Double
    /// Work-list requests per second / hello-world requests per second.
    var workListToHelloWorld: Double
    var workListP99TargetMetMilliseconds: Double
    var workListP99Met: Bool
}

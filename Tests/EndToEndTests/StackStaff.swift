import ClinicBus
import ClinicContract
import ClinicProto
import ClinicService
import ClinicTestSupport
import Logging
import ClinicStore
import Foundation

extension StackProcesses {
    /// The first admin's account and password in every test stack.
    static let admin = (account: "admin", password: "e2e-admin-password")

    /// Makes the first admin with `clinic-staff bootstrap-admin`, as `clinic up` does.
    func bootstrapAdmin() throws {
        guard let url = serviceURLs.withLock({ $0["staff"] }) else { throw StackTestError("staff is not started") }
        let executable = ProcessSupervisor.ownDirectory.appendingPathComponent("clinic-staff").path
        let outcome = try CommandRunner.run(executable, ["bootstrap-admin", "--account", Self.admin.account, "--name", "管理员"],
                                            environment: ["CLINIC_STAFF_DATABASE_URL": url, "CLINIC_ADMIN_PASSWORD": Self.admin.password])
        guard outcome.status == 0 else { throw StackTestError("bootstrap-admin failed: \(outcome.output)") }
    }

    /// Signs in over HTTP and returns the token.
    func signIn(_ account: String, _ password: String) async throws -> String {
        let answer = try await HTTP.send("POST", "\(api)/v1/sessions", json: ["account": account, "password": password])
        guard answer.status == 201, let token = answer.json["token"] as? String else {
            throw StackTestError("sign-in as \(account) answered \(answer.status): \(String(decoding: answer.body, as: UTF8.self))")
        }
        return token
    }

    /// A token of a member holding `roles` (proto names, e.g. `STAFF_ROLE_DESK`): the admin is made on first use,
    /// then a member per set of roles, each signed in once.
    func token(_ roles: [String]) async throws -> String {
        let key = roles.sorted().joined(separator: ",")
        if let token = tokens.withLock({ $0[key] }) { return token }
        if tokens.withLock({ $0["admin"] }) == nil {
            try bootstrapAdmin()
            let adminToken = try await signIn(Self.admin.account, Self.admin.password)
            tokens.withLock { $0["admin"] = adminToken }
        }
        let adminToken = tokens.withLock { $0["admin"] }!
        let account = "e2e." + roles.map { $0.replacingOccurrences(of: "STAFF_ROLE_", with: "").lowercased() }.sorted().joined(separator: ".")
        let password = "e2e-password-\(account)"
        let created = try await HTTP.send("POST", "\(api)/v1/staff", json: ["account": account, "name": "测试 \(account)", "roles": roles,
                                                                         "password": password],
                                          headers: ["Authorization": "Bearer \(adminToken)"])
        guard [201, 409].contains(created.status) else {
            throw StackTestError("creating \(account) answered \(created.status): \(String(decoding: created.body, as: UTF8.self))")
        }
        let token = try await signIn(account, password)
        tokens.withLock { $0[key] = token }
        return token
    }

    /// `Authorization` for a member holding `roles` (a supervisor by default).
    func auth(_ roles: [String] = ["STAFF_ROLE_SUPERVISOR"]) async throws -> [String: String] {
        ["Authorization": "Bearer \(try await token(roles))"]
    }
}

/// `HTTP` as one signed-in member of staff: every request carries its token.
struct SignedInHTTP: Sendable {
    let headers: [String: String]

    /// GET as the member.
    func get(_ url: String) async throws -> HTTP.Answer { try await HTTP.get(url, headers: headers) }

    /// Any request as the member.
    func send(_ method: String, _ url: String, json: Any? = nil) async throws -> HTTP.Answer {
        try await HTTP.send(method, url, json: json, headers: headers)
    }
}

extension StackProcesses {
    /// An HTTP client signed in as a member holding `roles` (a supervisor by default).
    func http(_ roles: [String] = ["STAFF_ROLE_SUPERVISOR"]) async throws -> SignedInHTTP {
        SignedInHTTP(headers: try await auth(roles))
    }
}

extension StackProcesses {
    /// A bus client connected to this stack's broker.
    func busClient(logger: Logging.Logger) throws -> BusClient {
        try BusClient(endpoint: bus, security: try clientSecurity(), logger: logger)
    }
}

extension StackProcesses {
    /// Starts clinic-staff alone on a fresh schema (for tests that start the rest by hand).
    func launchStaff() throws {
        let url = try TestDatabase.shared().makeService(prefix: "e2e_staff").url
        serviceURLs.withLock { $0["staff"] = url }
        try launch("clinic-staff", ["--bus", bus, "--events-in", eventsIn, "--events-out", eventsOut, "--database-url", url,
                                    "--workers", "2", "--heartbeat-ms", "250"] + peerSecurityArguments("staff"))
    }

    /// A token of a new member holding `roles`, made and signed in over the bus (no gateway needed): the admin is
    /// bootstrapped, signs in, adds the member, who signs in.
    func busToken(_ roles: [StaffRole], client: BusClient) async throws -> String {
        try bootstrapAdmin()
        var signIn = Clinic_Staff_V1_SignInRequest()
        signIn.account = Self.admin.account
        signIn.password = Self.admin.password
        let deadline = Date().addingTimeInterval(20)
        var admin: Clinic_Staff_V1_SignInResponse?
        while admin == nil {
            do {
                admin = try await client.call(Clinic_Staff_V1_Staff.signIn, signIn, options: CallOptions(timeout: .seconds(2)))
            } catch let error as RPCError where [.unavailable, .deadlineExceeded].contains(error.code) && Date() < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        var member = Clinic_Staff_V1_CreateMemberRequest()
        member.account = "bus." + roles.map(\.name).joined(separator: ".") + ".\(UUID().uuidString.prefix(6).lowercased())"
        member.name = "总线测试"
        member.roles = roles
        member.password = "bus-member-password"
        _ = try await client.call(Clinic_Staff_V1_Staff.createMember, member,
                                  options: CallOptions(timeout: .seconds(5), token: admin?.token ?? ""))
        signIn.account = member.account
        signIn.password = member.password
        return try await client.call(Clinic_Staff_V1_Staff.signIn, signIn, options: CallOptions(timeout: .seconds(5))).token
    }
}

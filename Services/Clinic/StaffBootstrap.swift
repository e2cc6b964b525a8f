import ClinicService
import ClinicStore
import Foundation

/// Who can sign in to a stack `clinic up` started: the first admin (made on the first run, its password kept in
/// the state folder), and with `--demo` one demo member per role.
enum StaffBootstrap {
    /// The first admin's account name.
    static let adminAccount = "admin"
    /// The password every demo member signs in with.
    static let demoPassword = "clinicdesk-demo"

    /// Ensures the first admin through `clinic-staff bootstrap-admin` (which changes nothing once the account
    /// exists); the password is made on the first run and kept, readable by the owner only, in
    /// `<state-dir>/admin-password`. Returns the account and password.
    static func ensureAdmin(stateDirectory: String, databaseURL: String) throws -> (account: String, password: String) {
        let file = URL(fileURLWithPath: stateDirectory, isDirectory: true).standardizedFileURL.appendingPathComponent("admin-password")
        let password: String
        if let kept = try? String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), !kept.isEmpty {
            password = kept
        } else {
            var generator = SystemRandomNumberGenerator()
            let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
            password = String((0..<20).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: file.path, contents: Data((password + "\n").utf8),
                                                 attributes: [.posixPermissions: 0o600]) else {
                throw StackError("cannot write \(file.path)")
            }
        }
        let executable = ProcessSupervisor.ownDirectory.appendingPathComponent("clinic-staff").path
        // The password and the URL go in the environment, never on a command line `ps` shows.
        let outcome = try CommandRunner.run(executable, ["bootstrap-admin", "--account", adminAccount, "--name", "管理员"],
                                            environment: ["CLINIC_STAFF_DATABASE_URL": databaseURL, "CLINIC_ADMIN_PASSWORD": password])
        guard outcome.status == 0 else { throw StackError("clinic-staff bootstrap-admin failed:\n\(outcome.output)") }
        return (adminAccount, password)
    }

    /// The demo members: one per role, account `demo.<role>`.
    static var demoMembers: [(account: String, name: String, role: String)] {
        [("demo.desk", "前台小李", "STAFF_ROLE_DESK"), ("demo.cashier", "收费小王", "STAFF_ROLE_CASHIER"),
         ("demo.nurse", "护士小张", "STAFF_ROLE_NURSE"), ("demo.doctor", "刘医生", "STAFF_ROLE_DOCTOR"),
         ("demo.consultant", "咨询师小陈", "STAFF_ROLE_CONSULTANT"), ("demo.service", "客服小赵", "STAFF_ROLE_CUSTOMER_SERVICE"),
         ("demo.supervisor", "主管老周", "STAFF_ROLE_SUPERVISOR"), ("demo.director", "院长", "STAFF_ROLE_DIRECTOR"),
         ("demo.admin", "系统管理员", "STAFF_ROLE_ADMIN")]
    }

    /// How to sign in, for the banner.
    static func signInHelp(api: String, admin: (account: String, password: String), stateDirectory: String, demo: Bool) -> String {
        let file = URL(fileURLWithPath: stateDirectory, isDirectory: true).appendingPathComponent("admin-password").path
        var text = """
              Sign in: curl -s -X POST \(api)/v1/sessions -d '{"account":"\(admin.account)","password":"…"}'   (admin's password: \(file))
                       then send the token as: Authorization: Bearer <token>
            """
        if demo {
            text += "\n  Demo staff (password \(demoPassword)): " + demoMembers.map(\.account).joined(separator: ", ")
        }
        return text
    }
}

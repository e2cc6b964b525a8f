import ArgumentParser
import Foundation

/// `clinic fees`: the fee schedule, through the gateway.
struct FeesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fees", abstract: "Manage the fee schedule through the gateway.",
        subcommands: [FeesImportCommand.self])
}

/// `clinic fees import FILE.csv`: loads a fee schedule (all rows or none), printing every bad line the service reports.
struct FeesImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a fee schedule from CSV: code,name,category,unit_price_fen,active_from[,active_to].",
        discussion: """
            A new code becomes a fee item; a known one gets a new price version from its active_from. The import \
            takes every row or none: a file with a bad line changes nothing, and each bad line is printed with its \
            number. Signs in as the stack's admin (password in <state-dir>/admin-password) unless --account and \
            --password-file are given.
            """)

    @Argument(help: "The CSV file.")
    var file: String

    @Option(name: .long, help: "Gateway base URL (env CLINIC_GATEWAY_URL).")
    var api: String = ProcessInfo.processInfo.environment["CLINIC_GATEWAY_URL"] ?? "http://127.0.0.1:8080"

    @Option(name: .long, help: "Account to sign in as (a director or an admin).")
    var account: String = "admin"

    @Option(name: .long, help: "File holding the account's password (default <state-dir>/admin-password).")
    var passwordFile: String?

    @Option(name: .long, help: "The stack's state folder (env CLINIC_STATE_DIR).")
    var stateDir: String = ProcessInfo.processInfo.environment["CLINIC_STATE_DIR"] ?? ".clinic"

    /// Reads the file, signs in, sends it, and reports what was imported or every bad line.
    func run() throws {
        let csv: String
        do { csv = try String(contentsOfFile: file, encoding: .utf8) } catch {
            throw ValidationError("cannot read \(file) as UTF-8 text")
        }
        let passwordPath = passwordFile ?? URL(fileURLWithPath: stateDir, isDirectory: true).appendingPathComponent("admin-password").path
        guard let password = try? String(contentsOfFile: passwordPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
              !password.isEmpty else {
            throw ValidationError("no password in \(passwordPath): give --password-file")
        }
        let client = try GatewayClient.signedIn(api: api.hasSuffix("/") ? String(api.dropLast()) : api, account: account,
                                                password: password, task: "fee import")
        let answer = try client.send("POST", "/v1/fee-items:import", ["csv": csv], expect: [200, 400], timeout: 60)
        guard answer.status == 200 else {
            let details = answer.json["details"] as? [[String: Any]] ?? []
            var report = "nothing imported: \(answer.json["message"] as? String ?? "the file was refused")\n"
            for detail in details { report += "  \(detail["description"] as? String ?? "")\n" }
            FileHandle.standardError.write(Data(report.utf8))
            throw ExitCode.failure
        }
        let rows = answer.json["rows"] as? Int ?? 0
        let created = answer.json["itemsCreated"] as? Int ?? 0
        let prices = answer.json["pricesSet"] as? Int ?? 0
        print("imported \(rows) row(s): \(created) new item(s), \(prices) price version(s)")
    }
}

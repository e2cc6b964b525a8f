import ArgumentParser
import ClinicService
import Foundation
import Logging
import Staff

/// `clinic-staff bootstrap-admin`: adds a new installation's first admin, so that somebody can sign in and add
/// the rest of the staff. Does nothing to an account that exists already.
struct BootstrapAdminCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bootstrap-admin",
        abstract: "Add the first admin (migrating first); an existing account is left as it is.",
        discussion: """
            The password comes from CLINIC_ADMIN_PASSWORD, else from standard input (one line, not echoed at a \
            terminal); at least 8 characters. Exits 0 when the admin was added or the account exists already.
            """)

    @Option(name: .long, help: "The admin's sign-in name: lower-case letters, digits, '.', '_' or '-'.")
    var account: String

    @Option(name: .long, help: "The admin's name as the clinic knows them.")
    var name: String

    @Option(name: .long, help: "PostgreSQL URL of staff's own role and schema (env DATABASE_URL, or CLINIC_STAFF_DATABASE_URL).")
    var databaseURL: String?

    @OptionGroup var staff: StaffOptions

    /// Parsed from the command line.
    init() {}

    /// Migrates, then adds the admin unless the account exists.
    func run() throws {
        ClinicLogging.bootstrap(level: "warning")
        var options = ServiceOptions()
        options.databaseURL = databaseURL
        let url = try options.resolvedDatabaseURL(service: StaffService.name)
        let password = try Self.password()
        let outcome: AdminBootstrap.Outcome
        do {
            outcome = try AdminBootstrap.run(account: account, name: name, password: password, databaseURL: url,
                                             configuration: try staff.configuration(),
                                             logger: Logger(label: "clinic.staff.bootstrap-admin"))
        } catch let refusal as AdminBootstrap.Refusal {
            throw ValidationError(refusal.description)
        }
        switch outcome {
        case .created(let memberID): print("staff: admin '\(account)' created (member \(memberID))")
        case .alreadyExists(let memberID): print("staff: account '\(account)' exists already (member \(memberID)); left as it is")
        }
    }

    /// The password from CLINIC_ADMIN_PASSWORD, else one line of standard input (echo off at a terminal).
    private static func password() throws -> String {
        if let password = ProcessInfo.processInfo.environment["CLINIC_ADMIN_PASSWORD"], !password.isEmpty { return password }
        let terminal = isatty(STDIN_FILENO) == 1
        var saved = termios()
        if terminal {
            FileHandle.standardError.write(Data("Password for the new admin: ".utf8))
            tcgetattr(STDIN_FILENO, &saved)
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        }
        let line = readLine(strippingNewline: true)
        if terminal {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line, !line.isEmpty else {
            throw ValidationError("no password: set CLINIC_ADMIN_PASSWORD or pass it on standard input")
        }
        return line
    }
}

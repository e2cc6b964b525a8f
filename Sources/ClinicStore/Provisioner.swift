import CPostgres
import Foundation
import Logging

/// Creates one login role and one schema per service, each service owning only its own schema.
public enum Provisioner {
    /// Provisions `services` with the given passwords (one per service) and returns per-service URLs.
    ///
    /// For each service: a LOGIN role of that name, a schema of that name owned by it, and
    /// `search_path = <service>, extensions`. PUBLIC loses all rights on the `public` schema, and shared
    /// extensions (`btree_gist`) are created by the admin in an `extensions` schema everyone may use.
    /// Idempotent: re-running only re-asserts the same state and passwords.
    public static func provision(services: [String], adminURL: String, passwords: [String: String],
                                 logger: Logger) throws -> [String: String] {
        for service in services {
            guard isValidName(service) else {
                throw StoreError(kind: .query, message: "invalid service name \(service): use [a-z_][a-z0-9_]*")
            }
            guard passwords[service] != nil else {
                throw StoreError(kind: .query, message: "no password given for service \(service)")
            }
        }
        let admin = try Connection(url: adminURL, logger: logger)
        defer { admin.close() }
        // Serialise provisioning runs: CREATE … IF NOT EXISTS is not safe against concurrent runs.
        _ = try admin.query("SELECT pg_advisory_lock(hashtextextended('clinic.provision', 0))")
        defer { _ = try? admin.query("SELECT pg_advisory_unlock(hashtextextended('clinic.provision', 0))") }

        try admin.execute(script: """
            REVOKE ALL ON SCHEMA public FROM PUBLIC;
            CREATE SCHEMA IF NOT EXISTS extensions;
            GRANT USAGE ON SCHEMA extensions TO PUBLIC;
            CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA extensions;
            """)
        var urls: [String: String] = [:]
        for service in services {
            let role = SQL.quoteIdentifier(service)
            let password = try admin.quoteLiteral(passwords[service] ?? "")
            let exists = try !admin.query("SELECT 1 FROM pg_roles WHERE rolname = \(service)").isEmpty
            let verb = exists ? "ALTER" : "CREATE"
            try admin.execute(script: """
                \(verb) ROLE \(role) WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD \(password);
                CREATE SCHEMA IF NOT EXISTS \(role) AUTHORIZATION \(role);
                ALTER SCHEMA \(role) OWNER TO \(role);
                REVOKE ALL ON SCHEMA \(role) FROM PUBLIC;
                ALTER ROLE \(role) SET search_path = \(role), extensions;
                """)
            urls[service] = connectionURL(adminURL: adminURL, role: service, password: passwords[service] ?? "")
            logger.info("provisioned service schema", metadata: ["service": "\(service)"])
        }
        return urls
    }

    /// Provisions `services`, keeping their passwords in `passwordFile` (`service:password` lines, mode 0600):
    /// existing passwords are reused, missing ones generated.
    public static func provision(services: [String], adminURL: String, passwordFile: URL,
                                 logger: Logger) throws -> [String: String] {
        var passwords = loadPasswords(passwordFile)
        var changed = false
        for service in services where passwords[service] == nil {
            passwords[service] = CommandRunner.randomSecret()
            changed = true
        }
        if changed || !FileManager.default.fileExists(atPath: passwordFile.path) {
            // `clinic migrate --state-dir DIR` may be the first thing to use DIR.
            try FileManager.default.createDirectory(at: passwordFile.deletingLastPathComponent(), withIntermediateDirectories: true)
            let lines = passwords.keys.sorted().map { "\($0):\(passwords[$0] ?? "")" }
            try CommandRunner.writePrivateFile(passwordFile, contents: lines.joined(separator: "\n") + "\n")
        }
        return try provision(services: services, adminURL: adminURL, passwords: passwords, logger: logger)
    }

    /// The admin URL with the service's role and password instead of the admin's.
    public static func connectionURL(adminURL: String, role: String, password: String) -> String {
        if adminURL.hasPrefix("postgres://") || adminURL.hasPrefix("postgresql://"),
           var components = URLComponents(string: adminURL) {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            components.percentEncodedUser = role.addingPercentEncoding(withAllowedCharacters: allowed)
            components.percentEncodedPassword = password.addingPercentEncoding(withAllowedCharacters: allowed)
            if let url = components.string { return url }
        }
        // key=value form: the admin's own user and password are left out, so a service never holds them.
        func quoted(_ value: String) -> String {
            "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        }
        let kept = (keywordPairs(adminURL) ?? []).filter { $0.keyword != "user" && $0.keyword != "password" }
        return (kept + [("user", role), ("password", password)]).map { "\($0.0)=\(quoted($0.1))" }.joined(separator: " ")
    }

    /// The keyword/value pairs of a `key=value` connection string as libpq reads them, or nil if it does not parse.
    static func keywordPairs(_ conninfo: String) -> [(keyword: String, value: String)]? {
        var message: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &message) else {
            if let message { PQfreemem(message) }
            return nil
        }
        defer { PQconninfoFree(options) }
        var pairs: [(keyword: String, value: String)] = []
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { pairs.append((String(cString: keyword), String(cString: value))) }
            option += 1
        }
        return pairs
    }

    /// Role and schema names are plain lower-case identifiers.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 63,
              first == "_" || ("a"..."z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }

    private static func loadPasswords(_ file: URL) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: file.path) else { return [:] }
        var passwords: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            passwords[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        return passwords
    }
}

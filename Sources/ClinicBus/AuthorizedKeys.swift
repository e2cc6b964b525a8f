/// The broker's authorized-keys file: one line per peer the broker admits, `NAME PUBLICKEY [SERVICE ...]`.
///
/// NAME is the peer's bus identity (the ZAP user id, stamped as `peer` on its requests); PUBLICKEY its Z85 CURVE
/// public key; any SERVICE words are bus services (`clinic.imaging.v1`) the peer may serve besides the one named
/// after it (`clinic.<NAME>.v1`). Blank lines and lines starting with `#` are ignored, as is anything from a word
/// starting with `#` after the key.
public struct AuthorizedKeys: Sendable, Equatable {
    /// One admitted peer.
    public struct Entry: Sendable, Equatable {
        /// The peer's bus identity.
        public var name: String
        /// Its Z85 public key.
        public var publicKey: String
        /// Bus services it may serve besides its own (`clinic.<name>.v1`).
        public var services: [String]

        /// An entry; `services` are the extra bus services the peer may serve.
        public init(name: String, publicKey: String, services: [String] = []) {
            self.name = name
            self.publicKey = publicKey
            self.services = services
        }

        /// The entry's line in the file.
        public var line: String { ([name, publicKey] + services).joined(separator: " ") }
    }

    /// The peers, in file order.
    public private(set) var entries: [Entry]

    /// A list of `entries`; throws on a bad name, key or service, or on a name or key listed twice.
    public init(entries: [Entry]) throws(CurveKeyError) {
        var names: Set<String> = []
        var keys: Set<String> = []
        for entry in entries {
            try Self.check(entry, file: nil, line: nil, names: &names, keys: &keys)
        }
        self.entries = entries
    }

    /// Reads and parses the file at `path`.
    public static func load(from path: String) throws(CurveKeyError) -> AuthorizedKeys {
        try parse(KeyFiles.read(path), file: path)
    }

    /// Parses the text of an authorized-keys file; errors name `file` and the line at fault.
    public static func parse(_ text: String, file: String) throws(CurveKeyError) -> AuthorizedKeys {
        var entries: [Entry] = []
        var names: Set<String> = []
        var keys: Set<String> = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard let words = Self.words(of: raw) else { continue }
            guard words.count >= 2 else {
                throw CurveKeyError(.malformed, "expected `NAME PUBLICKEY [SERVICE ...]`", file: file, line: index + 1)
            }
            let entry = Entry(name: words[0], publicKey: words[1], services: Array(words.dropFirst(2)))
            try check(entry, file: file, line: index + 1, names: &names, keys: &keys)
            entries.append(entry)
        }
        return AuthorizedKeys(checked: entries)
    }

    private init(checked entries: [Entry]) { self.entries = entries }

    /// The entry named `name`, if listed.
    public func entry(named name: String) -> Entry? { entries.first { $0.name == name } }

    /// The name listed with the Z85 `publicKey`, if any.
    public func name(forPublicKey publicKey: String) -> String? { entries.first { $0.publicKey == publicKey }?.name }

    /// `text` (an authorized-keys file) with `entry`'s line in place of the line for its name, or appended when the
    /// name is not listed; every other line, comments included, stays as it was. A line of another name with the
    /// same key is removed (a key names one peer).
    public static func updating(_ text: String, with entry: Entry) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        var replaced = false
        var kept: [String] = []
        for line in lines {
            guard let words = words(of: Substring(line)), words.count >= 2 else {
                kept.append(line)
                continue
            }
            if words[0] == entry.name {
                if !replaced { kept.append(entry.line) }
                replaced = true
            } else if words[1] != entry.publicKey {
                kept.append(line)
            }
        }
        if !replaced { kept.append(entry.line) }
        return kept.joined(separator: "\n") + "\n"
    }

    /// The header comment of a new file.
    public static let fileHeader = """
        # ClinicDesk bus: peers the broker admits (CURVE). One line per peer: NAME PUBLICKEY [SERVICE ...]
        # NAME is the peer's bus identity; SERVICE words are bus services it may serve besides clinic.<NAME>.v1.
        # After editing, send the broker SIGHUP (systemctl reload clinic-bus) to reload this file.

        """

    /// The peer name that may serve `service` without listing it: the middle word of a three-word bus service
    /// (`clinic.reception.v1` → `reception`); nil for names of other shapes.
    public static func owner(ofService service: String) -> String? {
        let words = service.split(separator: ".", omittingEmptySubsequences: false)
        guard words.count == 3, !words[1].isEmpty else { return nil }
        return String(words[1])
    }

    /// Whether `name` may be a peer's name: 1 to 64 of A–Z, a–z, 0–9, `.`, `_`, `-`, starting with a letter or digit.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 64, isAlphanumeric(first) else { return false }
        return name.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    /// Whether `service` may be a bus service name: dot-separated words of A–Z, a–z, 0–9 and `_`.
    public static func isValidService(_ service: String) -> Bool {
        let words = service.split(separator: ".", omittingEmptySubsequences: false)
        return words.count >= 2 && service.utf8.count <= 200 && words.allSatisfy { word in
            !word.isEmpty && word.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") }
        }
    }

    // MARK: Internals

    /// The words of a line up to any comment; nil for a blank or comment line.
    private static func words(of line: Substring) -> [String]? {
        var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
        guard let first = words.first, !first.hasPrefix("#") else { return nil }
        // Past the key, a word starting with # begins a comment (a Z85 key itself may start with #).
        if let comment = words.indices.dropFirst(2).first(where: { words[$0].hasPrefix("#") }) {
            words.removeSubrange(comment...)
        }
        return words
    }

    private static func check(_ entry: Entry, file: String?, line: Int?, names: inout Set<String>,
                              keys: inout Set<String>) throws(CurveKeyError) {
        guard isValidName(entry.name) else {
            throw CurveKeyError(.malformed, "`\(entry.name)` is not a valid peer name (letters, digits, . _ -; at most 64)",
                                file: file, line: line)
        }
        try CurveKey.checkZ85(entry.publicKey, what: "public key of \(entry.name)", file: file, line: line)
        for service in entry.services where !isValidService(service) {
            throw CurveKeyError(.malformed, "`\(service)` is not a bus service name (such as clinic.imaging.v1)",
                                file: file, line: line)
        }
        guard names.insert(entry.name).inserted else {
            throw CurveKeyError(.malformed, "\(entry.name) is listed twice", file: file, line: line)
        }
        guard keys.insert(entry.publicKey).inserted else {
            throw CurveKeyError(.malformed, "the public key of \(entry.name) is listed for another name too", file: file, line: line)
        }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}

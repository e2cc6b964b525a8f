import ClinicBus
import Foundation
import Testing

@Suite struct CurveKeyPairTests {
    @Test func aGeneratedPairSavesAndLoadsBackWithMode0600() throws {
        let pair = try CurveKeyPair.generate()
        #expect(pair.publicKey.utf8.count == 40 && pair.secretKey.utf8.count == 40)
        #expect(try CurveKey.publicKey(ofSecret: pair.secretKey) == pair.publicKey)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("clinic-keys-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("reception.key").path
        try pair.save(to: path, name: "reception")
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("# ClinicDesk bus key of reception"))
        #expect(text.contains("public = \(pair.publicKey)\n") && text.contains("secret = \(pair.secretKey)\n"))
        #expect(try CurveKeyPair.load(from: path) == pair)

        // Not over an existing key unless asked; then atomically, still 0600.
        let error = #expect(throws: CurveKeyError.self) { try CurveKeyPair.generate().save(to: path, name: "reception") }
        #expect(error?.code == .alreadyExists)
        let other = try CurveKeyPair.generate()
        try other.save(to: path, name: "reception", overwrite: true)
        #expect(try CurveKeyPair.load(from: path) == other)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)

        // A key file others can read is refused.
        chmod(path, 0o644)
        let unsafe = #expect(throws: CurveKeyError.self) { try CurveKeyPair.load(from: path) }
        #expect(unsafe?.code == .unsafePermissions)
        #expect(unsafe?.message.contains("chmod 600") == true)
    }

    @Test func aKeyFileWithABadLineIsRefusedNamingTheLine() throws {
        let pair = try CurveKeyPair.generate()
        let other = try CurveKeyPair.generate()
        let cases: [(String, Int?, String)] = [
            ("# c\npublic = \(pair.publicKey)\nsecret \(pair.secretKey)\n", 3, "expected `public = <key>`"),
            ("public = \(pair.publicKey)\nsecret = short\n", 2, "secret key is not a 40-character Z85 key"),
            ("public = \(other.publicKey)\nsecret = \(pair.secretKey)\n", 1, "does not belong"),
            ("colour = blue\n", 1, "unknown setting"),
            ("public = \(pair.publicKey)\n", nil, "no `secret = <key>` line"),
        ]
        for (text, line, message) in cases {
            let error = #expect(throws: CurveKeyError.self) { try CurveKeyPair.parse(text, file: "k.key") }
            #expect(error?.line == line, "\(text)")
            #expect(error?.file == "k.key")
            #expect(error?.message.contains(message) == true, "\(String(describing: error))")
            // Errors never repeat a key.
            #expect(error?.description.contains(pair.secretKey) == false)
        }
        // The public line is optional: it is derived from the secret.
        #expect(try CurveKeyPair.parse("secret = \(pair.secretKey)", file: "k.key") == pair)
    }

    @Test func printingAPairNeverShowsTheSecret() throws {
        let pair = try CurveKeyPair.generate()
        for text in ["\(pair)", String(reflecting: pair), "\([pair])", "\(BusSecurity.curve(pair, serverKey: pair.publicKey))"] {
            #expect(!text.contains(pair.secretKey), "\(text)")
        }
        var dumped = ""
        dump(pair, to: &dumped)
        #expect(!dumped.contains(pair.secretKey))
    }

    @Test func z85KeysAreChecked() {
        #expect(throws: CurveKeyError.self) { try CurveKey.checkZ85(String(repeating: "a", count: 39), what: "key") }
        #expect(throws: CurveKeyError.self) { try CurveKey.checkZ85(String(repeating: "a", count: 39) + "~", what: "key") }
        #expect(throws: CurveKeyError.self) { try CurveKey.checkZ85(String(repeating: "a", count: 39) + " ", what: "key") }
    }
}

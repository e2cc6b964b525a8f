import ClinicBus
import Testing

@Suite struct AuthorizedKeysTests {
    static let keyA = try! CurveKeyPair.generate().publicKey
    static let keyB = try! CurveKeyPair.generate().publicKey

    @Test func parsesNamesKeysServicesAndSkipsComments() throws {
        let text = """
            # peers
            reception \(Self.keyA)

              imaging \(Self.keyB) clinic.imaging.v1 clinic.xray.v1   # the imaging system
            """
        let keys = try AuthorizedKeys.parse(text, file: "authorized_keys")
        #expect(keys.entries == [.init(name: "reception", publicKey: Self.keyA),
                                 .init(name: "imaging", publicKey: Self.keyB, services: ["clinic.imaging.v1", "clinic.xray.v1"])])
        #expect(keys.name(forPublicKey: Self.keyB) == "imaging")
        #expect(keys.entry(named: "nobody") == nil)
    }

    @Test(arguments: [
        ("reception", 1, "expected `NAME PUBLICKEY"),
        ("reception not-a-key", 1, "not a 40-character Z85 key"),
        ("-bad \(keyA)", 1, "not a valid peer name"),
        ("a \(keyA)\na \(keyB)", 2, "listed twice"),
        ("a \(keyA)\nb \(keyA)", 2, "listed for another name"),
        ("# x\na \(keyA) clinic..v1", 2, "not a bus service name"),
    ])
    func refusesABadLineNamingFileAndLine(text: String, line: Int, message: String) {
        let error = #expect(throws: CurveKeyError.self) { try AuthorizedKeys.parse(text, file: "/etc/clinicdesk/authorized_keys") }
        #expect(error?.file == "/etc/clinicdesk/authorized_keys")
        #expect(error?.line == line)
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("/etc/clinicdesk/authorized_keys:\(line): ") == true)
    }

    @Test func updatingReplacesTheNamesLineAndKeepsEverythingElse() {
        let text = "# header\nreception \(Self.keyA)\n# imaging below\nimaging \(Self.keyB)\n"
        let newKey = (try? CurveKeyPair.generate().publicKey) ?? ""
        let replaced = AuthorizedKeys.updating(text, with: .init(name: "reception", publicKey: newKey, services: ["clinic.x.v1"]))
        #expect(replaced == "# header\nreception \(newKey) clinic.x.v1\n# imaging below\nimaging \(Self.keyB)\n")
        let appended = AuthorizedKeys.updating(text, with: .init(name: "billing", publicKey: newKey))
        #expect(appended == text + "billing \(newKey)\n")
        // A key names one peer: its line under another name goes.
        let moved = AuthorizedKeys.updating(text, with: .init(name: "pacs", publicKey: Self.keyB))
        #expect(moved == "# header\nreception \(Self.keyA)\n# imaging below\npacs \(Self.keyB)\n")
        #expect(AuthorizedKeys.updating("", with: .init(name: "a", publicKey: Self.keyA)) == "a \(Self.keyA)\n")
    }

    @Test func namesAndServicesHaveAShape() {
        #expect(AuthorizedKeys.isValidName("reception"))
        #expect(AuthorizedKeys.isValidName("sms-sender_2.b"))
        #expect(!AuthorizedKeys.isValidName(""))
        #expect(!AuthorizedKeys.isValidName(".hidden"))
        #expect(!AuthorizedKeys.isValidName("a b"))
        #expect(!AuthorizedKeys.isValidName(String(repeating: "a", count: 65)))
        #expect(AuthorizedKeys.isValidService("clinic.imaging.v1"))
        #expect(!AuthorizedKeys.isValidService("imaging"))
        #expect(!AuthorizedKeys.isValidService("clinic.imaging.v1/Do"))
    }
}

import ClinicBus
import ClinicService
import Foundation
import Testing

@Suite("Key folders") struct KeyDirectoryTests {
    static func folder() -> KeyDirectory {
        KeyDirectory(FileManager.default.temporaryDirectory.path + "/clinic-keydir-\(UUID().uuidString.prefix(8))/keys")
    }

    @Test func newKeysAreListedOnceAndNotReplacedWithoutForce() throws {
        let folder = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder.path) }
        let imaging = try folder.create("imaging", serves: ["clinic.xray.v1"])
        #expect(try folder.authorizedKeys().entries == [.init(name: "imaging", publicKey: imaging.publicKey, services: ["clinic.xray.v1"])])
        #expect(try FileManager.default.attributesOfItem(atPath: folder.path)[.posixPermissions] as? Int == 0o700)
        #expect(try FileManager.default.attributesOfItem(atPath: folder.keyFile("imaging"))[.posixPermissions] as? Int == 0o600)
        let exists = #expect(throws: CurveKeyError.self) { try folder.create("imaging") }
        #expect(exists?.code == .alreadyExists)
        // --force: a new pair, and its line in place of the old one.
        let replaced = try folder.create("imaging", force: true)
        #expect(replaced != imaging)
        #expect(try folder.authorizedKeys().entries == [.init(name: "imaging", publicKey: replaced.publicKey)])
        #expect(throws: CurveKeyError.self) { try folder.create("no good") }
    }

    @Test func theStacksKeysAreMadeOnceAndKeptInLine() throws {
        let folder = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder.path) }
        let first = try StackKeys.prepare(in: folder, extraPeers: ["tests"])
        let listed = try folder.authorizedKeys().entries.map(\.name)
        #expect(Set(listed) == Set(StackKeys.peers + ["tests"]))
        #expect(!listed.contains(StackKeys.broker))
        // Again: the same keys, nothing added twice.
        let second = try StackKeys.prepare(in: folder, extraPeers: ["tests"])
        #expect(second.serverKey == first.serverKey)
        #expect(try folder.authorizedKeys().entries.map(\.name) == listed)
        #expect(first.peerEnvironment("gateway") == ["CLINIC_CURVE_KEY": folder.keyFile("gateway"), "CLINIC_BUS_SERVER_KEY": first.serverKey])
        #expect(first.brokerEnvironment["CLINIC_BUS_AUTHORIZED_KEYS"] == folder.authorizedKeysFile)
        guard case .curve(let pair, let serverKey) = try first.security("tests") else {
            Issue.record("not CURVE")
            return
        }
        #expect(serverKey == first.serverKey)
        #expect(try folder.authorizedKeys().name(forPublicKey: pair.publicKey) == "tests")
    }
}

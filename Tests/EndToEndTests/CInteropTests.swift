import ClinicBus
import ClinicProto
import ClinicStore
import ClinicTestSupport
import Foundation
import Logging
import Testing

/// An independent C client — libzmq, libprotobuf-c and protoc-c code generated from `Protos/` — against the real
/// `clinic-bus` and `clinic-reception`: both directions of the protobuf encoding, and the bus framing, in one run.
@Suite("C client on the bus", .serialized)
struct CInteropTests {
    @Test("a C program with its own CURVE key registers a patient, reads it back and is refused a duplicate; Swift reads what C wrote; without the key it gets nothing")
    func cClientTalksToReception() async throws {
        let program = try CClientBuild.make()
        let database = try TestDatabase.shared().makeService(prefix: "interop_reception")
        let stack = try StackProcesses()
        try await stack.startAll(databaseURLs: ["reception": database.url])
        // The C client is a system, not a member of staff: it sends no token, and acts in the roles the services'
        // configuration grants its key (`imaging=nurse`).

        let phone = "137\(String(format: "%08d", Int.random(in: 0..<100_000_000)))"
        // The C client connects with its own CURVE key pair (the file `clinic keys new` writes) and the broker's key.
        let run = try CommandRunner.run(program.path, [stack.bus, "林小红", phone, "1992-05-06"] + stack.cClientKeyArguments())
        #expect(run.status == 0, "\(run.output)\n\(stack.logs())")
        let lines = run.output.split(separator: "\n").map(String.init)
        let registered = try #require(lines.first { $0.hasPrefix("register ") }, "\(run.output)")
        let parts = registered.split(separator: " ")
        #expect(parts.count == 3 && parts[1] == "0", "\(registered)")
        let id = String(parts.last ?? "")
        #expect(UUID(uuidString: id) != nil)
        // C decoded what Swift encoded: every field as registered, the UTF-8 name and the repeated field intact.
        #expect(lines.contains("get \(id)|林小红|\(phone)|1992-05-06|2|1:青霉素"), "\(run.output)")
        // The duplicate is ALREADY_EXISTS (6), naming the record it collides with and never echoing the phone.
        let duplicate = try #require(lines.first { $0.hasPrefix("duplicate ") }, "\(run.output)")
        #expect(duplicate.hasPrefix("duplicate 6 ") && duplicate.contains(id) && !duplicate.contains(phone), "\(duplicate)")

        // Swift decodes what C encoded.
        let client = try BusClient(endpoint: stack.bus, security: try stack.clientSecurity(),
                                   logger: Logger(label: "interop", factory: { _ in SwiftLogNoOpLogHandler() }))
        defer { client.close() }
        var get = Clinic_Reception_V1_GetPatientRequest()
        get.patientID = id
        get.reason = "interop check"
        let nurse = try await stack.busToken([.nurse], client: client)
        let patient = try await client.call(Clinic_Reception_V1_Reception.getPatient, get, options: CallOptions(timeout: .seconds(5), token: nurse))
        #expect(patient.name == "林小红")
        #expect(patient.phone == phone)
        #expect(patient.birthDate == "1992-05-06")
        #expect(patient.gender == .female)
        #expect(patient.allergies == ["青霉素"])

        // Without its key the same program gets no answer at all: the broker refuses the connection.
        let keyless = try CommandRunner.run(program.path, [stack.bus, "林小红", phone, "1992-05-06"])
        #expect(keyless.status != 0)
        #expect(keyless.output.contains("no reply to c-1"), "\(keyless.output)")
        stack.stopAll()
    }
}

/// Generates the protoc-c code for every proto (and the well-known types they import) and compiles the C client.
enum CClientBuild {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The compiled client, in a fresh temporary folder.
    static func make() throws -> URL {
        let protos = repository.appendingPathComponent("Protos")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("clinic-c-interop-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let files = try protoFiles(under: protos)
        let wellKnown = Set(try files.flatMap { file in
            try String(contentsOf: protos.appendingPathComponent(file), encoding: .utf8).split(separator: "\n").compactMap { line -> String? in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                guard trimmed.hasPrefix("import \"google/protobuf/") else { return nil }
                return trimmed.split(separator: "\"").dropFirst().first.map(String.init)
            }
        }).sorted()
        let generated = try CommandRunner.run("/usr/bin/protoc-c",
                                              ["-I", protos.path, "-I", "/usr/include", "--c_out=\(work.path)"] + files + wellKnown)
        guard generated.status == 0 else { throw StackTestError("protoc-c failed (apt-get install protobuf-c-compiler):\n\(generated.output)") }
        let sources = (FileManager.default.enumerator(atPath: work.path)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".pb-c.c") }.map { work.appendingPathComponent($0).path }
        let program = work.appendingPathComponent("reception_client")
        let source = repository.appendingPathComponent("Tests/EndToEndTests/Interop/reception_client.c").path
        guard let compiler = cCompiler() else { throw StackTestError("no C compiler (cc, gcc or clang) on the PATH: apt-get install gcc") }
        let compiled = try CommandRunner.run(compiler.path,
                                             ["-Wall", "-o", program.path, source] + sources + ["-I", work.path, "-lprotobuf-c", "-lzmq"])
        guard compiled.status == 0 else { throw StackTestError("the C client did not compile (libprotobuf-c-dev, libzmq3-dev):\n\(compiled.output)") }
        return program
    }

    /// The first of cc, gcc and clang (the Swift toolchain brings one) found on the PATH.
    static func cCompiler() -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"
        for name in ["cc", "gcc", "clang"] {
            for directory in path.split(separator: ":") {
                let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
        }
        return nil
    }

    /// Proto files below `root`, relative to it.
    static func protoFiles(under root: URL) throws -> [String] {
        (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".proto") }.sorted()
    }
}

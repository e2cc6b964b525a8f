import ClinicContract
import ClinicStore
import Foundation
import Testing

/// `protoc-gen-clinic` run as `Protos/generate.sh` runs it, on the repository's contract and on a copy with one
/// more rpc.
@Suite("protoc-gen-clinic")
struct ClinicContractPluginTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var plugin: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("protoc-gen-clinic")
    }

    /// Runs protoc with the plugin over every .proto under `protos`, into a fresh folder; the generated files by name.
    static func generate(protos: URL) throws -> [String: String] {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("clinic-contract-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: out) }
        let files = (FileManager.default.enumerator(atPath: protos.path)?.allObjects as? [String] ?? [])
            .filter { $0.hasPrefix("clinic/") && $0.hasSuffix(".proto") }.sorted()
        let run = try CommandRunner.run("/usr/bin/protoc", ["-I", protos.path, "--plugin=protoc-gen-clinic=\(plugin.path)",
                                                            "--clinic_out=\(out.path)"] + files)
        guard run.status == 0 else { throw GeneratorFailed(output: run.output) }
        var generated: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: out.path) {
            generated[name] = try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
        }
        return generated
    }

    struct GeneratorFailed: Error, CustomStringConvertible {
        let output: String
        var description: String { "protoc-gen-clinic failed (apt-get install protobuf-compiler):\n\(output)" }
    }

    @Test func theCommittedCodeIsWhatTheContractGenerates() throws {
        let generated = try Self.generate(protos: Self.repository.appendingPathComponent("Protos"))
        #expect(generated.keys.contains("ContractIndex.generated.swift"))
        for (name, text) in generated {
            let committed = try String(contentsOf: Self.repository.appendingPathComponent("Sources/ClinicContract/\(name)"), encoding: .utf8)
            #expect(committed == text, "Sources/ClinicContract/\(name) is stale: run Protos/generate.sh")
        }
    }

    @Test func anRPCAddedToAProtoIsRoutedAndDocumentedWithNoSwiftEdit() throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("clinic-protos-\(UUID().uuidString.prefix(8))")
        try FileManager.default.copyItem(at: Self.repository.appendingPathComponent("Protos"), to: copy)
        defer { try? FileManager.default.removeItem(at: copy) }
        let reception = copy.appendingPathComponent("clinic/reception/v1/reception.proto")
        var text = try String(contentsOf: reception, encoding: .utf8)
        text = text.replacingOccurrences(of: "service Reception {\n", with: """
            service Reception {
              // Archives a patient who moved away.
              rpc ArchivePatient(ArchivePatientRequest) returns (Patient) {
                option (clinic.api.v1.http) = { post: "/v1/patients/{patient_id}/archive" body: "*" };
                option (clinic.api.v1.access) = { roles: [STAFF_ROLE_SUPERVISOR, STAFF_ROLE_DIRECTOR] };
              }

            """)
        text += """

            message ArchivePatientRequest {
              string patient_id = 1 [(clinic.api.v1.rules) = { required: true format: FORMAT_UUID }];
              string reason = 2 [(clinic.api.v1.rules) = { required: true max_length: 100 }];
            }

            """
        try text.write(to: reception, atomically: true, encoding: .utf8)

        let generated = try Self.generate(protos: copy)
        let index = try #require(generated["ContractIndex.generated.swift"])
        // The gateway's route table is `ContractIndex.routedMethods`; its OpenAPI schemas are `openAPISchemas`.
        #expect(index.contains("Clinic_Reception_V1_Reception.archivePatient,"))
        let contract = try #require(generated["clinic_reception_v1_reception.contract.swift"])
        #expect(contract.contains(#"public static let archivePatient = Method<Clinic_Reception_V1_ArchivePatientRequest, Clinic_Reception_V1_Patient>("#))
        #expect(contract.contains(#"verb: .post, path: "/v1/patients/{patient_id}/archive","#))
        #expect(contract.contains(#""clinic.reception.v1.Reception/ArchivePatient", access: .roles([.supervisor, .director]), route:"#))
        #expect(contract.contains(#"summary: "Archives a patient who moved away.","#))
        #expect(contract.contains(#"FieldRule.text(self.reason, "reason", at: path, into: &violations, required: true, maxLength: 100)"#))
        // The body schema leaves out the field the path fills and requires the rest.
        #expect(contract.contains(#""required":["reason"]"#))
        #expect(index.contains(#""clinic.reception.v1.ArchivePatientRequest":{"#))
    }

    @Test func theCommittedIndexRoutesEveryRPCThatHasARoute() throws {
        let routed = Set(ContractIndex.routedMethods.map(\.fullName))
        #expect(routed.isSuperset(of: Clinic_Reception_V1_Reception.allMethods))
        #expect(routed.isSuperset(of: Clinic_Scheduling_V1_Scheduling.allMethods))
        #expect(!routed.contains(Clinic_Reception_V1_Events.replay.fullName), "Replay is served on the bus only")
        let schemas = try #require(try JSONSerialization.jsonObject(with: Data(ContractIndex.openAPISchemas.utf8)) as? [String: Any])
        let registration = try #require(schemas["clinic.reception.v1.RegisterPatientRequest"] as? [String: Any])
        #expect(registration["required"] as? [String] == ["name", "birthDate", "phone"])
        #expect(registration["additionalProperties"] as? Bool == false)
        let properties = try #require(registration["properties"] as? [String: [String: Any]])
        #expect(properties["birthDate"]?["format"] as? String == "date")
        #expect(properties["phone"]?["pattern"] as? String == "^1[3-9][0-9]{9}$")
        // A reply's schema promises types only: proto3 JSON leaves defaults out, and a reply's phone may be masked.
        let prospect = try #require(schemas["clinic.scheduling.v1.Prospect"] as? [String: Any])
        #expect(prospect["required"] == nil)
        #expect(schemas["clinic.scheduling.v1.Prospect.Input"] != nil)
    }
}

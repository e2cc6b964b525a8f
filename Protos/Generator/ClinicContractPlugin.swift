import ClinicProto
import Foundation
import SwiftProtobuf
import SwiftProtobufPluginLibrary

/// `protoc-gen-clinic`: a protoc plugin that turns the contract's own options (`Protos/clinic/api/v1/annotations.proto`)
/// into Swift for the `ClinicContract` module: one typed method descriptor per rpc with its HTTP route and OpenAPI
/// pieces, one field-rule check per message, and the index of every routed rpc with the document's schemas.
@main
struct ClinicContractPlugin: CodeGenerator {
    init() {}

    var supportedFeatures: [Google_Protobuf_Compiler_CodeGeneratorResponse.Feature] { [.proto3Optional] }

    var customOptionExtensions: [any AnyMessageExtension] {
        [Clinic_Api_V1_Extensions_http, Clinic_Api_V1_Extensions_access, Clinic_Api_V1_Extensions_rules, Clinic_Api_V1_Extensions_message_rules]
    }

    var version: String? { "1.0" }

    func generate(files: [FileDescriptor], parameter: any CodeGeneratorParameter,
                  protoCompilerContext: any ProtoCompilerContext, generatorOutputs: any GeneratorOutputs) throws {
        let contract = Contract(files: files.filter { $0.package.hasPrefix("clinic.") && $0.package != "clinic.api.v1" })
        try contract.checkPatterns()
        for file in contract.files {
            let name = file.name.replacingOccurrences(of: ".proto", with: "").replacingOccurrences(of: "/", with: "_")
            try generatorOutputs.add(fileName: "\(name).contract.swift", contents: try contract.swift(for: file))
        }
        try generatorOutputs.add(fileName: "ContractIndex.generated.swift", contents: try contract.indexSwift())
    }
}

/// A generator error: what in which .proto element is wrong.
struct ContractError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

import ClinicBus
import ClinicProto
import ClinicTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
@testable import Gateway

/// A transport that records which rpc each request reached and answers with an empty response.
final class RecordingTransport: RPCTransport {
    let calls = Mutex<[(service: String, method: String)]>([])

    func send(service: String, header: Clinic_Bus_V1_RequestHeader, payload: [UInt8]) async throws -> RPCReply {
        calls.withLock { $0.append((service, header.method)) }
        var reply = Clinic_Bus_V1_ReplyHeader()
        reply.requestID = header.requestID
        return RPCReply(header: reply, payload: [])
    }
}

/// The route table is the contract's: every generated route is served, and reaches its rpc.
@Suite("Generated routes")
struct GatewayRouteTests {
    /// A value for a path variable, from its schema in the generated OpenAPI parameters.
    static func sample(for variable: String, in route: GatewayRoute) -> String {
        let parameters = (try? JSONSerialization.jsonObject(with: Data(route.contract.openAPIParameters.utf8))) as? [[String: Any]] ?? []
        let schema = parameters.first { $0["name"] as? String == variable }?["schema"] as? [String: Any]
        return schema?["format"] as? String == "date" ? "2026-12-24" : "0b9c3a4e-6f1d-4c2a-9e57-3d8f1a2b4c6d"
    }

    @Test func everyRouteTheContractDeclaresIsServedAndReachesItsRPC() async throws {
        let routes = GatewayRoutes.all
        #expect(routes.count == ContractIndex.routedMethods.count)
        #expect(Set(routes.map(\.rpc)).count == routes.count)
        let transport = RecordingTransport()
        let router = GatewayRouter.build(transport: transport, access: TestAccess.gateway, routes: routes, metrics: GatewayMetrics()) { [] }
        try await Application(router: router).test(.router) { client in
            for route in routes {
                // A member holding every role, so that no route refuses the caller; a new token each time, as
                // signing out revokes the one it carries.
                let everyRole = await TestStaff.token(StaffRole.all)
                var path = route.path
                for variable in route.pathParameters {
                    path = path.replacingOccurrences(of: "{\(variable)}", with: Self.sample(for: variable, in: route))
                }
                let body = route.hasBody ? ByteBuffer(string: "{}") : nil
                try await client.executeSignedIn(uri: path, method: route.method, body: body, token: everyRole) { response in
                    #expect(response.status == route.successStatus, "\(route.method) \(route.path)")
                }
                let last = transport.calls.withLock { $0.last }
                #expect(last?.method == route.rpc, "\(route.method) \(route.path)")
                #expect(last?.service == route.busService)
            }
        }
    }

    @Test func openAPIStatesEveryRouteTheRouterServesWithItsRulesAndStatuses() throws {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json(for: GatewayRoutes.all,
                                                                                                     maxBodyBytes: 1024))) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
        for route in GatewayRoutes.all {
            let operation = try #require(paths[route.path]?[route.method.rawValue.lowercased()], "\(route.method) \(route.path)")
            let responses = try #require(operation["responses"] as? [String: Any])
            var expected = ["400", "404", "409", "429", "499", "500", "501", "503", "504", String(route.successStatus.code)]
            if route.hasBody { expected.append("413") }
            expected.append("401")
            if route.access != .open { expected.append("403") }
            #expect(Set(responses.keys) == Set(expected), "\(route.method) \(route.path)")
        }
        let register = try #require(paths["/v1/patients"]?["post"])
        let body = try #require((register["requestBody"] as? [String: Any])?["description"] as? String)
        #expect(body.contains("1024 bytes"))
        let getPatient = try #require(paths["/v1/patients/{patient_id}"]?["get"]?["parameters"] as? [[String: Any]])
        let id = try #require(getPatient.first { $0["name"] as? String == "patient_id" })
        #expect(id["in"] as? String == "path")
        #expect((id["schema"] as? [String: Any])?["format"] as? String == "uuid")
        #expect(getPatient.contains { $0["name"] as? String == "reason" && $0["in"] as? String == "query" })
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        for case let reference as String in Self.references(in: document) {
            #expect(schemas[String(reference.dropFirst("#/components/schemas/".count))] != nil, "dangling \(reference)")
        }
    }

    /// Every `$ref` in a JSON value.
    static func references(in value: Any) -> [Any] {
        if let object = value as? [String: Any] {
            return object.flatMap { key, value in key == "$ref" ? [value] : references(in: value) }
        }
        if let array = value as? [Any] { return array.flatMap(references) }
        return []
    }
}

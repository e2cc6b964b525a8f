import ClinicBus
import ClinicProto
import Foundation
import HTTPTypes
import SwiftProtobuf

/// One HTTP route bound to exactly one RPC, as the contract's `(clinic.api.v1.http)` option declares it: how its
/// path and query fill the request message, and what it answers.
public struct GatewayRoute: Sendable {
    /// HTTP method, e.g. GET.
    public let method: HTTPRequest.Method
    /// Path template with `{param}` segments, as OpenAPI writes it, e.g. `/v1/patients/{patient_id}`.
    public let path: String
    /// Full RPC name, e.g. `clinic.reception.v1.Reception/GetPatient`.
    public let rpc: String
    /// Bus service that serves the RPC.
    public let busService: String
    /// What the contract says of the route (OpenAPI pieces included).
    public let contract: HTTPRoute
    /// Who may call it.
    public let access: Access
    /// Status on success (200, or 201 for creations).
    public let successStatus: HTTPResponse.Status
    /// Deadline when the client sends no `Grpc-Timeout`.
    public let defaultTimeout: Duration
    /// Short query parameter names → request field (proto3 JSON name, dotted for nested fields).
    public let queryFields: [String: String]
    /// `queryFields` under both its names and their JSON forms (`page_size` and `pageSize`), built once.
    private let queryFieldsByAnyName: [String: String]
    /// Whether the request body carries the message.
    public let hasBody: Bool
    /// Decodes body + parameters into the request message and encodes it.
    let bind: @Sendable (_ body: [UInt8], _ parameters: [(field: String, value: String)]) throws(GatewayError) -> [UInt8]
    /// Turns the encoded response into proto3 JSON.
    let render: @Sendable (_ payload: [UInt8]) throws -> (contentType: String, body: [UInt8])

    /// Path parameters in order, e.g. `["patient_id"]`.
    public let pathParameters: [String]
    /// The request field each path parameter fills, in the same order (dotted proto3 JSON names).
    let pathParameterFields: [String]

    /// The request field a query parameter fills: the route's own alias (by its name or that name's JSON form,
    /// `page_size` or `pageSize`), else the name itself with each dotted part in its JSON form (`doctor_id` and
    /// `doctorId` both fill `doctorId`).
    func queryField(_ name: String) -> String {
        if let field = queryFieldsByAnyName[name] { return field }
        return name.split(separator: ".", omittingEmptySubsequences: false).map { jsonName(String($0)) }.joined(separator: ".")
    }

    /// The path in Hummingbird's syntax, each variable named by its position (`:p0`, `:p1`): Hummingbird's trie
    /// matches the first template that fits whatever the method, so two routes on one path must agree on names.
    var routerPath: String {
        var index = 0
        return "/" + path.split(separator: "/").map { segment -> String in
            guard segment.hasPrefix("{") && segment.hasSuffix("}") else { return String(segment) }
            defer { index += 1 }
            return ":p\(index)"
        }.joined(separator: "/")
    }

    /// Each path variable's Hummingbird parameter name (`p0`, …) and the request field it fills, in order.
    let pathBindings: [(parameter: String, field: String)]

    /// The route of a contract method; nil for an rpc served on the bus only.
    public init?<M: RoutedMethod>(_ rpc: M) {
        guard let route = rpc.route else { return nil }
        self.contract = route
        self.access = rpc.access
        self.method = HTTPRequest.Method(rawValue: route.verb.rawValue) ?? .get
        self.path = route.path
        self.rpc = rpc.fullName
        self.busService = rpc.busService
        self.successStatus = route.created ? .created : .ok
        self.defaultTimeout = route.timeoutMS > 0 ? .milliseconds(route.timeoutMS) : .seconds(5)
        self.queryFields = route.queryAliases
        var byAnyName = Dictionary(route.queryAliases.map { (jsonName($0.key), $0.value) }) { first, _ in first }
        byAnyName.merge(route.queryAliases) { _, own in own }
        self.queryFieldsByAnyName = byAnyName
        self.hasBody = route.hasBody
        self.pathParameters = route.pathVariables.map(\.name)
        let pathParameterFields = route.pathVariables.map(\.field)
        self.pathParameterFields = pathParameterFields
        self.pathBindings = pathParameterFields.enumerated().map { ("p\($0.offset)", $0.element) }
        // Parameters that all fill string fields (ids, mostly) and no body: encoded directly, no JSON round trip.
        let queryNames = Self.queryParameterNames(route.openAPIParameters).map(jsonName)
        let stringFields = RequestBinding.stringFieldNumbers(M.Request.self,
                                                            candidates: Set(pathParameterFields + queryNames + route.queryAliases.values))
        self.bind = { body, parameters throws(GatewayError) in
            if body.isEmpty, let bytes = RequestBinding.encodeStringFields(parameters, numbers: stringFields) { return bytes }
            return try RequestBinding.bind(M.Request.self, body: body, parameters: parameters)
        }
        let produces = route.produces
        self.render = { payload in
            // A raw response (a printable receipt, a CSV report) goes out as it is, in its own media type.
            if M.Response.self == Clinic_Api_V1_HttpBody.self {
                let body = try Clinic_Api_V1_HttpBody(serializedBytes: payload)
                return (body.hasContentType ? body.contentType : produces, Array(body.data))
            }
            return ("application/json", try M.Response(serializedBytes: payload).jsonUTF8Bytes())
        }
    }
}

extension GatewayRoute {
    /// The names of the query parameters among a route's OpenAPI parameters (JSON text).
    static func queryParameterNames(_ parameters: String) -> [String] {
        guard let list = try? JSONSerialization.jsonObject(with: Data(parameters.utf8)) as? [[String: Any]] else { return [] }
        return list.compactMap { $0["in"] as? String == "query" ? $0["name"] as? String : nil }
    }
}

/// Every route the contract declares, in .proto order: the gateway's route table.
public enum GatewayRoutes {
    /// The route table, made from `ContractIndex.routedMethods` (no route is listed by hand).
    public static let all: [GatewayRoute] = ContractIndex.routedMethods.compactMap { GatewayRoute($0) }
}

/// snake_case → lowerCamelCase, as proto3 JSON names fields.
func jsonName(_ snake: String) -> String {
    var result = ""
    var upper = false
    for character in snake {
        if character == "_" { upper = true; continue }
        result.append(upper ? Character(character.uppercased()) : character)
        upper = false
    }
    return result
}

import ClinicBus
import ClinicProto
import Foundation
import HTTPTypes
import SwiftProtobuf

/// One HTTP route bound to exactly one RPC: how its path and query fill the request message, and what it answers.
public struct GatewayRoute: Sendable {
    /// HTTP method, e.g. GET.
    public let method: HTTPRequest.Method
    /// Path template with `{param}` segments, e.g. `/v1/patients/{patient_id}`.
    public let path: String
    /// Full RPC name, e.g. `clinic.reception.v1.Reception/GetPatient`.
    public let rpc: String
    /// Bus service that serves the RPC.
    public let busService: String
    /// Request and response message names (for the OpenAPI document).
    public let requestType: String, responseType: String
    /// Status on success (200, or 201 for creations).
    public let successStatus: HTTPResponse.Status
    /// Deadline when the client sends no `Grpc-Timeout`.
    public let defaultTimeout: Duration
    /// Query parameter → request field (proto3 JSON name, dotted for nested fields).
    public let queryFields: [String: String]
    /// `queryFields` under both its names and their JSON forms (`page_size` and `pageSize`), built once.
    private let queryFieldsByAnyName: [String: String]
    /// Whether the request body carries the message (POST/PUT/PATCH).
    public let hasBody: Bool
    /// Decodes body + parameters into the request message and encodes it.
    let bind: @Sendable (_ body: [UInt8], _ parameters: [(field: String, value: String)]) throws(GatewayError) -> [UInt8]
    /// Turns the encoded response into proto3 JSON.
    let render: @Sendable (_ payload: [UInt8]) throws -> [UInt8]

    /// Path parameters in order, e.g. `["patient_id"]`.
    public let pathParameters: [String]
    /// The request field each path parameter fills, in the same order (camelCase, or where `pathFields` moved it).
    let pathParameterFields: [String]

    /// The request field a query parameter fills: the route's own mapping (by its name or that name's JSON form,
    /// `page_size` or `pageSize`), else the name itself with each dotted part in its JSON form (`doctor_id` and
    /// `doctorId` both fill `doctorId`).
    func queryField(_ name: String) -> String {
        if let field = queryFieldsByAnyName[name] { return field }
        return name.split(separator: ".", omittingEmptySubsequences: false).map { jsonName(String($0)) }.joined(separator: ".")
    }

    /// The path in Hummingbird's syntax (`:param`).
    var routerPath: String {
        "/" + path.split(separator: "/").map { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? ":" + segment.dropFirst().dropLast() : String(segment)
        }.joined(separator: "/")
    }

    /// Binds `method` + `path` to `rpc`. Path parameters fill the field of the same name (snake_case → camelCase)
    /// unless `pathFields` maps them elsewhere (e.g. `"date": "override.date"`, a field of a nested message).
    public init<Request, Response>(_ method: HTTPRequest.Method, _ path: String, _ rpc: Method<Request, Response>,
                                   status: HTTPResponse.Status = .ok, query: [String: String] = [:],
                                   pathFields: [String: String] = [:], timeout: Duration = .seconds(5)) {
        self.method = method
        self.path = path
        self.rpc = rpc.fullName
        self.busService = rpc.busService
        self.requestType = Request.protoMessageName
        self.responseType = Response.protoMessageName
        self.successStatus = status
        self.defaultTimeout = timeout
        self.queryFields = query
        var byAnyName = Dictionary(query.map { (jsonName($0.key), $0.value) }) { first, _ in first }
        byAnyName.merge(query) { _, own in own }
        self.queryFieldsByAnyName = byAnyName
        self.hasBody = [.post, .put, .patch].contains(method)
        let pathParameters = path.split(separator: "/").compactMap { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? String(segment.dropFirst().dropLast()) : nil
        }
        self.pathParameters = pathParameters
        // A path parameter fills the field of its camelCase name, unless `pathFields` moves it elsewhere.
        let pathParameterFields = pathParameters.map { pathFields[$0] ?? jsonName($0) }
        self.pathParameterFields = pathParameterFields
        // Parameters that all fill string fields (ids, mostly) and no body: encoded directly, no JSON round trip.
        let stringFields = RequestBinding.stringFieldNumbers(Request.self, candidates: Set(pathParameterFields + query.values))
        self.bind = { body, parameters throws(GatewayError) in
            if body.isEmpty, let bytes = RequestBinding.encodeStringFields(parameters, numbers: stringFields) { return bytes }
            return try RequestBinding.bind(Request.self, body: body, parameters: parameters)
        }
        self.render = { payload in
            try Response(serializedBytes: payload).jsonUTF8Bytes()
        }
    }
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

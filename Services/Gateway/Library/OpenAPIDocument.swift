import ClinicContract
import ClinicService
import Foundation

/// The OpenAPI 3.0 document of exactly the gateway's route table, assembled from what the contract generated:
/// each route's parameters and body schema, and the schemas of every message, field rules included.
enum OpenAPIDocument {
    /// The statuses an error reply may have on any route, with what each means here.
    static let errorStatuses: [(status: Int, meaning: String)] = [
        (400, "INVALID_ARGUMENT (every field at fault is named in details), FAILED_PRECONDITION or OUT_OF_RANGE"),
        (404, "NOT_FOUND: the named record does not exist"),
        (409, "ALREADY_EXISTS or ABORTED: a duplicate, a taken slot, or a stale expected version"),
        (429, "RESOURCE_EXHAUSTED: the service is shedding load"),
        (499, "CANCELLED: the call was cancelled"),
        (500, "INTERNAL or UNKNOWN"),
        (501, "UNIMPLEMENTED: no worker serves the method"),
        (503, "UNAVAILABLE: no worker of the service is reachable"),
        (504, "DEADLINE_EXCEEDED: no reply within the deadline (Grpc-Timeout or the route's default)"),
    ]

    /// JSON bytes of the document for `routes`; `maxBodyBytes` is the body limit stated for 413.
    static func json(for routes: [GatewayRoute], maxBodyBytes: Int) -> [UInt8] {
        var paths: [String: [String: Any]] = [:]
        let errorContent: [String: Any] = ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]
        for route in routes {
            let contract = route.contract
            var parameters = decode(contract.openAPIParameters) as? [[String: Any]] ?? []
            parameters.append(["name": "Grpc-Timeout", "in": "header", "required": false,
                               "schema": ["type": "string", "pattern": GrpcTimeout.pattern],
                               "description": "deadline, e.g. 500m or 5S: at least 100m, at most 60S (longer is shortened); "
                                   + "default \(route.defaultTimeout)"])
            parameters.append(["name": "X-Request-Id", "in": "header", "required": false,
                               "schema": ["type": "string", "maxLength": GatewayRouter.maxRequestIDLength],
                               "description": "carried as the call's trace id and echoed in the reply"])
            if route.hasBody {
                parameters.append(["name": "Idempotency-Key", "in": "header", "required": false,
                                   "schema": ["type": "string", "maxLength": IdempotentWrite.maxKeyLength],
                                   "description": "a retry with the same key returns the first result"])
            }
            var responses: [String: Any] = [
                String(route.successStatus.code): [
                    "description": route.successStatus == .created ? "Created" : "OK",
                    "content": contract.produces.isEmpty
                        ? ["application/json": ["schema": ["$ref": "#/components/schemas/\(contract.responseSchema)"]]]
                        : [contract.produces: ["schema": ["type": "string"]]],
                ],
            ]
            for (status, meaning) in errorStatuses { responses[String(status)] = ["description": meaning, "content": errorContent] }
            var who = "open to all"
            switch route.access {
            case .open, .systemOnly:
                // Signing in is open, and answers 401 for a wrong account or password.
                responses["401"] = ["description": "UNAUTHENTICATED: the credentials given are refused", "content": errorContent]
            case .signedIn, .roles:
                responses["401"] = ["description": "UNAUTHENTICATED: no staff token, or one that is malformed, expired, signed out, "
                                        + "of a deactivated member or not signed by clinic-staff (see WWW-Authenticate)",
                                    "content": errorContent]
                responses["403"] = ["description": "PERMISSION_DENIED: \(route.access.refusal)", "content": errorContent]
                who = route.access == .signedIn ? "any signed-in member of staff" : "roles: " + route.access.roleNames.joined(separator: ", ")
            }
            var operation: [String: Any] = [
                "operationId": String(route.rpc.split(separator: "/").last ?? ""),
                "summary": contract.summary.isEmpty ? route.rpc : contract.summary,
                "description": "rpc `\(route.rpc)` on bus service `\(route.busService)`; who may call: \(who)",
                "security": route.access == .open ? [] : [["staffToken": [String]()]],
                "x-clinic-roles": route.access.roleNames,
                "tags": [String(route.rpc.split(separator: "/").first ?? "")],
                "parameters": parameters,
            ]
            if route.hasBody, let body = decode(contract.openAPIBody) as? [String: Any] {
                responses["413"] = ["description": "the body is larger than \(maxBodyBytes) bytes", "content": errorContent]
                operation["requestBody"] = [
                    "required": requiresBody(body),
                    "description": "proto3 JSON of the request message, at most \(maxBodyBytes) bytes",
                    "content": ["application/json": ["schema": body]],
                ]
            }
            operation["responses"] = responses
            paths[route.path, default: [:]][route.method.rawValue.lowercased()] = operation
        }
        var schemas = decode(ContractIndex.openAPISchemas) as? [String: Any] ?? [:]
        schemas["Error"] = [
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": [
                "code": ["type": "integer", "description": "gRPC status code"],
                "message": ["type": "string"],
                "details": ["type": "array", "items": [
                    "type": "object",
                    "required": ["field", "description"],
                    "properties": ["field": ["type": "string"], "description": ["type": "string"]],
                ]],
            ],
        ]
        let document: [String: Any] = [
            "openapi": "3.0.3",
            "info": ["title": "ClinicDesk gateway", "version": "1.0.0",
                     "description": "HTTP/JSON over the ClinicDesk bus, generated from the .proto contract: bodies are the proto3 JSON "
                        + "form of the request messages, path and query parameters fill request fields, and every field rule "
                        + "is checked by the service, over HTTP and over the bus alike. Bodies are at most \(maxBodyBytes) bytes."],
            "paths": paths,
            "components": [
                "schemas": schemas,
                "securitySchemes": ["staffToken": [
                    "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                    "description": "the token from POST /v1/sessions; each route's x-clinic-roles names the roles that may call it",
                ] as [String: Any]],
            ] as [String: Any],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        return Array(data)
    }

    private static func decode(_ text: String) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    /// Whether a body schema needs a body at all: a reference to a message, or an object with required fields.
    private static func requiresBody(_ schema: [String: Any]) -> Bool {
        if schema["$ref"] != nil { return true }
        return !((schema["required"] as? [Any])?.isEmpty ?? true) || schema["oneOf"] != nil || schema["anyOf"] != nil
    }
}

import Foundation

/// The OpenAPI 3.0 document of exactly the gateway's route table.
enum OpenAPIDocument {
    /// JSON bytes of the document for `routes`.
    static func json(for routes: [GatewayRoute]) -> [UInt8] {
        var paths: [String: [String: Any]] = [:]
        var schemas: [String: Any] = [
            "Error": [
                "type": "object",
                "properties": [
                    "code": ["type": "integer", "description": "gRPC status code"],
                    "message": ["type": "string"],
                    "details": ["type": "array", "items": [
                        "type": "object",
                        "properties": ["field": ["type": "string"], "description": ["type": "string"]],
                    ]],
                ],
            ],
        ]
        for route in routes {
            var parameters: [[String: Any]] = route.pathParameters.map {
                ["name": $0, "in": "path", "required": true, "schema": ["type": "string"]]
            }
            parameters += route.queryFields.keys.sorted().map {
                ["name": $0, "in": "query", "required": false, "schema": ["type": "string"],
                 "description": "fills request field `\(route.queryFields[$0] ?? $0)`"]
            }
            parameters.append(["name": "Grpc-Timeout", "in": "header", "required": false, "schema": ["type": "string"],
                               "description": "deadline, e.g. 500m or 5S (default \(route.defaultTimeout))"])
            if route.hasBody {
                parameters.append(["name": "Idempotency-Key", "in": "header", "required": false, "schema": ["type": "string"],
                                   "description": "a retry with the same key returns the first result"])
            }
            var operation: [String: Any] = [
                "operationId": String(route.rpc.split(separator: "/").last ?? ""),
                "summary": route.rpc,
                "parameters": parameters,
                "responses": [
                    String(route.successStatus.code): ["description": "OK", "content": ["application/json": ["schema": ["$ref": "#/components/schemas/\(route.responseType)"]]]],
                    "default": ["description": "Error", "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]],
                ],
            ]
            if route.hasBody {
                operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": ["$ref": "#/components/schemas/\(route.requestType)"]]]]
            }
            schemas[route.requestType] = ["type": "object", "description": "proto3 JSON of \(route.requestType)"]
            schemas[route.responseType] = ["type": "object", "description": "proto3 JSON of \(route.responseType)"]
            paths[route.path, default: [:]][route.method.rawValue.lowercased()] = operation
        }
        let document: [String: Any] = [
            "openapi": "3.0.3",
            "info": ["title": "ClinicDesk gateway", "version": "1.0.0",
                     "description": "HTTP/JSON over the ClinicDesk bus; bodies are the proto3 JSON form of the request messages."],
            "paths": paths,
            "components": ["schemas": schemas],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Array(data)
    }
}

/// How an rpc is served over HTTP, as its `(clinic.api.v1.http)` option says, with the OpenAPI pieces the
/// generator derived from the request message's field rules.
public struct HTTPRoute: Sendable, Hashable {
    /// HTTP verbs a route may use.
    public enum Verb: String, Sendable, Hashable {
        case get = "GET", put = "PUT", post = "POST", delete = "DELETE", patch = "PATCH"
    }

    /// One `{…}` segment of the path template and the request field it fills.
    public struct PathVariable: Sendable, Hashable {
        /// The parameter's name in the OpenAPI document: the last part of the field path, e.g. `doctor_id`.
        public let name: String
        /// The request field it fills, dotted proto3 JSON names, e.g. `override.doctorId`.
        public let field: String

        /// A variable named `name` filling `field`.
        public init(name: String, field: String) {
            self.name = name
            self.field = field
        }
    }

    /// The verb.
    public let verb: Verb
    /// The path as OpenAPI writes it, `{name}` for each variable, e.g. `/v1/rosters/{doctor_id}/overrides/{date}`.
    public let path: String
    /// The path's variables, in order.
    public let pathVariables: [PathVariable]
    /// Whether the body carries the request message (`body: "*"`).
    public let hasBody: Bool
    /// Whether success is 201 Created rather than 200 OK.
    public let created: Bool
    /// Short query parameter names → the request field they fill (dotted proto3 JSON names).
    public let queryAliases: [String: String]
    /// The deadline when the client sends none, in milliseconds (0: the gateway's default).
    public let timeoutMS: Int
    /// The rpc's documentation from the .proto, for the OpenAPI summary.
    public let summary: String
    /// The OpenAPI schema name of the response message.
    public let responseSchema: String
    /// The OpenAPI `parameters` for the path and query, as JSON text (an array).
    public let openAPIParameters: String
    /// The OpenAPI schema of the body, as JSON text; empty when there is no body.
    public let openAPIBody: String
    /// The media type of a response that is not JSON (the rpc returns `HttpBody`); empty for proto3 JSON.
    public let produces: String

    /// A route as the generator writes it.
    public init(verb: Verb, path: String, pathVariables: [PathVariable], hasBody: Bool, created: Bool,
                queryAliases: [String: String], timeoutMS: Int, summary: String, responseSchema: String,
                openAPIParameters: String, openAPIBody: String, produces: String = "") {
        self.verb = verb
        self.path = path
        self.pathVariables = pathVariables
        self.hasBody = hasBody
        self.created = created
        self.queryAliases = queryAliases
        self.timeoutMS = timeoutMS
        self.summary = summary
        self.responseSchema = responseSchema
        self.openAPIParameters = openAPIParameters
        self.openAPIBody = openAPIBody
        self.produces = produces
    }
}

import ClinicBus
import ClinicProto
import ClinicService
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Builds the gateway's router: the route table over an RPC transport, plus health, readiness, metrics and OpenAPI.
public enum GatewayRouter {
    /// Largest request body accepted.
    public static let maxBodyBytes = 1 << 20
    /// Longest `X-Request-Id` accepted (it is echoed and logged as the call's trace id).
    public static let maxRequestIDLength = 128
    static let requestIDField = HTTPField.Name("X-Request-Id")!
    static let idempotencyField = HTTPField.Name("Idempotency-Key")!
    static let timeoutField = HTTPField.Name("Grpc-Timeout")!
    /// A router for `routes` sending RPCs through `transport`, each checked by `access` first; `readiness` names
    /// what is not ready (empty when ready).
    public static func build(transport: any RPCTransport, access: GatewayAccess, routes: [GatewayRoute] = GatewayRoutes.all,
                             metrics: GatewayMetrics, readiness: @escaping @Sendable () async -> [String]) -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        router.add(middleware: JSONErrorMiddleware(routes: routes))
        router.get("/healthz") { _, _ in jsonResponse(.ok, Array(#"{"status":"ok"}"#.utf8)) }
        router.get("/readyz") { _, _ in
            let missing = await readiness()
            if missing.isEmpty { return jsonResponse(.ok, Array(#"{"status":"ready"}"#.utf8)) }
            return errorResponse(GatewayError(.unavailable, "not ready: " + missing.joined(separator: ", ")), requestID: nil)
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
        let openAPI = OpenAPIDocument.json(for: routes, maxBodyBytes: maxBodyBytes)
        router.get("/openapi.json") { _, _ in jsonResponse(.ok, openAPI) }
        for route in routes {
            let routeMetrics = metrics.route(route.path, method: route.method.rawValue)
            router.on(RouterPath(route.routerPath), method: route.method) { request, context in
                let started = ContinuousClock.now
                let response = await handle(route, request: request, context: context, transport: transport, access: access)
                routeMetrics.record(status: response.status.code, duration: ContinuousClock.now - started)
                return response
            }
        }
        return router
    }

    /// One call: check the caller, bind the request, send it over the bus, answer with JSON or the mapped error.
    static func handle(_ route: GatewayRoute, request: Request, context: GatewayRequestContext,
                       transport: any RPCTransport, access: GatewayAccess) async -> Response {
        let requestID = request.headers[requestIDField] ?? RequestID.next()
        do {
            // Who calls comes first: a caller who may not call learns nothing about the request's shape.
            let token = try GatewayAccess.bearerToken(of: request)
            let claims = try await access.admit(route, token: token)
            guard requestID.unicodeScalars.count <= maxRequestIDLength else {
                throw GatewayError.invalid("X-Request-Id", "must be at most \(maxRequestIDLength) characters")
            }
            var parameters: [(field: String, value: String)] = []
            for (name, field) in route.pathBindings {
                parameters.append((field, context.parameters.get(name) ?? ""))
            }
            // As grpc-gateway does: any request field may come as a query parameter, by its proto name or its JSON
            // name (dotted for nested fields); the route's table adds short names. A path parameter is not overridden.
            let bound = parameters.count
            for (name, value) in request.uri.queryParameters where !name.isEmpty {
                let field = route.queryField(String(name))
                if parameters[..<bound].contains(where: { $0.field == field }) { continue }
                parameters.append((field, String(value)))
            }
            var body: [UInt8] = []
            if route.hasBody {
                // A declared length over the limit is refused before anything is read.
                if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > maxBodyBytes {
                    throw GatewayError.bodyTooLarge(limit: maxBodyBytes)
                }
                let buffer: ByteBuffer
                do {
                    buffer = try await request.body.collect(upTo: maxBodyBytes)
                } catch {
                    throw GatewayError.bodyTooLarge(limit: maxBodyBytes)
                }
                body = Array(buffer: buffer)
            }
            let payload = try route.bind(body, parameters)
            let clientAddress = context.remoteAddress?.ipAddress ?? ""
            if route.rpc == signInRPC {
                let account = (try? Clinic_Staff_V1_SignInRequest(serializedBytes: payload))?.account ?? ""
                try access.limitSignIn(account: account.trimmingCharacters(in: .whitespaces), address: clientAddress)
            }
            var header = try requestHeader(for: route, request: request, requestID: requestID)
            header.token = token ?? ""
            header.clientAddress = clientAddress
            let reply: RPCReply
            do {
                reply = try await transport.send(service: route.busService, header: header, payload: payload)
            } catch let error as RPCError {
                throw GatewayError(error)
            } catch {
                throw GatewayError(.unavailable, "the bus is not reachable")
            }
            guard reply.header.code == .ok else {
                throw GatewayError(reply.header.code, reply.header.message,
                                   details: reply.header.violations.map { ($0.field, $0.description_p) })
            }
            if route.rpc == signOutRPC, let claims {
                // Refused here at once; the services learn it from staff's event within a second.
                access.verifier.revoke(tokenID: claims.jti.value, expiresAt: claims.exp.value)
            }
            let rendered: (contentType: String, body: [UInt8])
            do {
                rendered = try route.render(reply.payload)
            } catch {
                throw GatewayError(.internal, "the reply of \(route.rpc) did not decode")
            }
            var response = Response(status: route.successStatus, headers: [.contentType: rendered.contentType],
                                     body: .init(byteBuffer: ByteBuffer(bytes: rendered.body)))
            response.headers[requestIDField] = requestID
            return response
        } catch let error as GatewayError {
            return errorResponse(error, requestID: requestID)
        } catch {
            return errorResponse(GatewayError(.internal, "unexpected gateway error"), requestID: requestID)
        }
    }

    /// The bus request header: method, ids, absolute deadline, caller.
    static func requestHeader(for route: GatewayRoute, request: Request, requestID: String) throws(GatewayError) -> Clinic_Bus_V1_RequestHeader {
        var timeout = route.defaultTimeout
        if let text = request.headers[timeoutField] {
            guard let asked = GrpcTimeout.parse(text) else {
                throw GatewayError(.invalidArgument, "Grpc-Timeout: must be a positive number with a unit H, M, S, m, u or n (e.g. 500m)",
                                   details: [("Grpc-Timeout", "must be a positive number of at most 8 digits and a unit H, M, S, m, u or n")])
            }
            guard asked >= GrpcTimeout.minimum else {
                throw GatewayError.invalid("Grpc-Timeout", "must be at least 100m (100 milliseconds)")
            }
            timeout = min(asked, GrpcTimeout.maximum)
        }
        let idempotencyKey = request.headers[idempotencyField] ?? ""
        guard idempotencyKey.unicodeScalars.count <= IdempotentWrite.maxKeyLength else {
            throw GatewayError.invalid("Idempotency-Key", "must be at most \(IdempotentWrite.maxKeyLength) characters")
        }
        var caller = Clinic_Bus_V1_Caller()
        caller.system = "clinic-gateway"
        // The bus id is always fresh (two HTTP requests may carry the same X-Request-Id); the client's id travels
        // as the trace id.
        return CallOptions(timeout: timeout, caller: caller, idempotencyKey: idempotencyKey,
                           traceID: requestID).requestHeader(method: route.rpc)
    }

    static func jsonResponse(_ status: HTTPResponse.Status, _ bytes: [UInt8]) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func errorResponse(_ error: GatewayError, requestID: String?) -> Response {
        var response = jsonResponse(error.status, error.jsonBody)
        if let requestID { response.headers[requestIDField] = requestID }
        if error.code == .unauthenticated { response.headers[GatewayAccess.challengeField] = error.challenge ?? GatewayAccess.realm }
        if let seconds = error.retryAfterSeconds { response.headers[GatewayAccess.retryAfterField] = String(seconds) }
        return response
    }

    static let signInRPC = Clinic_Staff_V1_Staff.signIn.fullName
    static let signOutRPC = Clinic_Staff_V1_Staff.signOut.fullName
}

/// Turns Hummingbird's own errors (unknown route, bad method) into the gateway's JSON error body.
struct JSONErrorMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    static let allowField = HTTPField.Name("Allow")!

    /// The route table, to tell a wrong method (405) from an unknown path (404).
    let routes: [GatewayRoute]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            if error.status == .notFound {
                let allowed = methods(servingPath: request.uri.path)
                if !allowed.isEmpty {
                    var response = GatewayRouter.errorResponse(
                        GatewayError(.unimplemented, "\(request.method.rawValue) is not served here; use \(allowed.joined(separator: ", "))"),
                        requestID: nil)
                    response.status = .methodNotAllowed
                    response.headers[Self.allowField] = allowed.joined(separator: ", ")
                    return response
                }
            }
            let code: StatusCode = switch error.status.code {
            case 404: .notFound
            case 413: .resourceExhausted
            case 400..<500: .invalidArgument
            default: .internal
            }
            var mapped = GatewayRouter.errorResponse(GatewayError(code, error.status.code == 404 ? "no such route" : error.status.reasonPhrase), requestID: nil)
            mapped.status = error.status
            return mapped
        }
    }

    /// The methods of the table's routes whose template matches `path` (`{param}` matches any one segment).
    func methods(servingPath path: String) -> [String] {
        let segments = path.split(separator: "/")
        let matching = routes.filter { route in
            let template = route.path.split(separator: "/")
            guard template.count == segments.count else { return false }
            return zip(template, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
        return Array(Set(matching.map(\.method.rawValue))).sorted()
    }
}

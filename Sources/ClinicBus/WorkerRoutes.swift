import ClinicProto
import Logging
import SwiftProtobuf

/// The methods one worker thread serves: typed handlers keyed by full method name. Not Sendable: built and
/// used on one worker thread.
public final class WorkerRoutes {
    /// One request as it came off the socket: its decoded header and still-encoded payload.
    public typealias Incoming = (header: Clinic_Bus_V1_RequestHeader, payload: [UInt8])
    /// How a method is served: each request on its own, or every waiting request of the method at once.
    @usableFromInline
    enum Handler {
        case single((Incoming, Logger, Surroundings) -> RPCReply)
        case batch(([Incoming], Logger, Surroundings) -> [RPCReply])
    }

    /// What every request is handled with besides itself: passed in per call, never captured, since a closure
    /// holding the routes would keep them, their handlers and their database connections alive for good.
    @usableFromInline
    struct Surroundings {
        @usableFromInline let outbound: OutboundBus?
        @usableFromInline let gate: any CallerGate
    }

    @usableFromInline var handlers: [String: Handler] = [:]
    /// The process's client for calls to other services, handed to every request's context.
    public var outbound: OutboundBus?
    /// Who may call what: checks every request against its rpc's access rule before the handler runs. Without
    /// one, only public rpcs are served.
    public var gate: any CallerGate = ClosedGate()

    /// Creates an empty route table.
    public init() {}

    /// Registers `handler` for `method` (a later registration of the same method replaces the earlier one).
    /// Registration is inlinable, so each service's handlers run code specialised to their message types.
    @inlinable
    public func register<Req, Res>(_ method: Method<Req, Res>, _ handler: @escaping (RequestContext, Req) throws -> Res) {
        let name = method.fullName, access = method.access
        handlers[name] = .single { incoming, logger, surroundings in
            let result = Result<Res, any Error> {
                let (context, request) = try Self.prepare(incoming, as: Req.self, access: access, now: BusClock.nowMS(),
                                                          logger: logger, surroundings: surroundings)
                return try handler(context, request)
            }
            return Self.reply(result, to: incoming.header, method: name, logger: logger)
        }
    }

    /// Registers a handler that serves several waiting requests of `method` at once (for example, with one
    /// database round trip for all of them); it returns one result per request, in the order given. Requests of
    /// the method that arrive together are handed over together; one on its own comes as a batch of one.
    @inlinable
    public func registerBatch<Req, Res>(_ method: Method<Req, Res>,
                                        _ handler: @escaping ([(RequestContext, Req)]) -> [Result<Res, any Error>]) {
        let name = method.fullName, access = method.access
        handlers[name] = .batch { incoming, logger, surroundings in
            let now = BusClock.nowMS()
            let results = BatchAnswers.answer(incoming, prepare: { request in
                try Self.prepare(request, as: Req.self, access: access, now: now, logger: logger, surroundings: surroundings)
            }, together: handler)
            return zip(incoming, results).map { request, result in
                Self.reply(result, to: request.header, method: name, logger: logger)
            }
        }
    }

    /// What a handler gets for one request, or the error its caller gets instead: DEADLINE_EXCEEDED once the
    /// deadline has passed; UNAUTHENTICATED or PERMISSION_DENIED when the gate refuses the caller under the rpc's
    /// access rule; INVALID_ARGUMENT when the payload does not decode or breaks the contract's field rules (naming
    /// every field at fault). No handler sees a caller it may not serve or a request of the wrong shape.
    @inlinable
    static func prepare<Req: FieldRulesChecked>(_ incoming: Incoming, as: Req.Type, access: Access, now: Int64,
                                                logger: Logger, surroundings: Surroundings) throws -> (RequestContext, Req) {
        let header = incoming.header
        if header.deadlineUnixMs != 0 && header.deadlineUnixMs <= now {
            throw RPCError(.deadlineExceeded, "deadline passed before the request was handled")
        }
        let caller = try surroundings.gate.admit(header, to: access)
        // The logger is passed on unchanged: setting metadata per request makes swift-log's stream handler
        // re-render its metadata every time (~13% of a worker's CPU). Log sites add request_id.
        let context = RequestContext(header: header, caller: caller, logger: logger, outbound: surroundings.outbound)
        let request: Req
        do {
            request = try Req(serializedBytes: incoming.payload)
        } catch {
            throw RPCError(.invalidArgument, "request payload does not decode as \(Req.protoMessageName)")
        }
        var violations: [FieldViolation] = []
        request.checkFieldRules(at: "", into: &violations)
        guard violations.isEmpty else { throw RPCError.invalidArguments(violations) }
        return (context, request)
    }

    @inlinable
    static func reply<Res: SwiftProtobuf.Message>(_ result: Result<Res, any Error>, to header: Clinic_Bus_V1_RequestHeader,
                                                          method: String, logger: Logger) -> RPCReply {
        do {
            let response = try result.get()
            var replyHeader = Clinic_Bus_V1_ReplyHeader()
            replyHeader.requestID = header.requestID
            return RPCReply(header: replyHeader, payload: try response.serializedBytes())
        } catch let error as RPCError {
            return errorReply(error, requestID: header.requestID)
        } catch let error as RPCErrorConvertible {
            return errorReply(error.rpcError, requestID: header.requestID)
        } catch {
            logger.error("handler failed", metadata: ["request_id": "\(header.requestID)", "method": "\(method)",
                                                      "error": "\(String(reflecting: type(of: error)))"])
            return errorReply(RPCError(.internal, "internal error"), requestID: header.requestID)
        }
    }

    /// Full names of the methods registered so far.
    public var registeredMethods: Set<String> { Set(handlers.keys) }

    /// Whether `method` was registered with `registerBatch`.
    public func servesInBatches(_ method: String) -> Bool {
        if case .batch = handlers[method] { return true }
        return false
    }

    /// Decodes, dispatches and encodes one request; every failure becomes an error reply, never a throw.
    public func handle(header: Clinic_Bus_V1_RequestHeader, payload: [UInt8], logger: Logger) -> RPCReply {
        let surroundings = Surroundings(outbound: outbound, gate: gate)
        switch handlers[header.method] {
        case .single(let handler): return handler((header, payload), logger, surroundings)
        case .batch(let handler): return handler([(header, payload)], logger, surroundings)[0]
        case nil: return Self.unimplemented(header)
        }
    }

    /// Serves requests that all name the same method, together when it was registered with `registerBatch` and
    /// one by one otherwise; returns one reply per request, in order. Expired requests are answered
    /// DEADLINE_EXCEEDED without reaching the handler.
    public func handle(_ incoming: [Incoming], logger: Logger) -> [RPCReply] {
        guard let method = incoming.first?.header.method else { return [] }
        let surroundings = Surroundings(outbound: outbound, gate: gate)
        switch handlers[method] {
        case .single(let handler): return incoming.map { handler($0, logger, surroundings) }
        case .batch(let handler): return handler(incoming, logger, surroundings)
        case nil: return incoming.map { Self.unimplemented($0.header) }
        }
    }

    private static func unimplemented(_ header: Clinic_Bus_V1_RequestHeader) -> RPCReply {
        errorReply(RPCError(.unimplemented, "method \(header.method) is not implemented here"), requestID: header.requestID)
    }

    @usableFromInline
    static func errorReply(_ error: RPCError, requestID: String) -> RPCReply {
        RPCReply(header: error.replyHeader(requestID: requestID), payload: [])
    }
}

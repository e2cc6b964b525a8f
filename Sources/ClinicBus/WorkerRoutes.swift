import ClinicProto
import Logging
import SwiftProtobuf

/// The methods one worker thread serves: typed handlers keyed by full method name. Not Sendable: built and
/// used on one worker thread.
public final class WorkerRoutes {
    /// One request as it came off the socket: its decoded header and still-encoded payload.
    public typealias Incoming = (header: Clinic_Bus_V1_RequestHeader, payload: [UInt8])
    private typealias Handler = ([Incoming], Logger) -> [RPCReply]
    private var handlers: [String: Handler] = [:]
    private var batched: Set<String> = []

    /// Creates an empty route table.
    public init() {}

    /// Registers `handler` for `method` (a later registration of the same method replaces the earlier one).
    public func register<Req, Res>(_ method: Method<Req, Res>, _ handler: @escaping (RequestContext, Req) throws -> Res) {
        install(method, batched: false) { calls in
            calls.map { context, request in Result { try handler(context, request) } }
        }
    }

    /// Registers a handler that serves several waiting requests of `method` at once (for example, with one
    /// database round trip for all of them); it returns one result per request, in the order given. Requests of
    /// the method that arrive together are handed over together; one on its own comes as a batch of one.
    public func registerBatch<Req, Res>(_ method: Method<Req, Res>,
                                        _ handler: @escaping ([(RequestContext, Req)]) -> [Result<Res, any Error>]) {
        install(method, batched: true, handler)
    }

    private func install<Req, Res>(_ method: Method<Req, Res>, batched isBatched: Bool,
                                   _ handler: @escaping ([(RequestContext, Req)]) -> [Result<Res, any Error>]) {
        let name = method.fullName
        if isBatched { batched.insert(name) } else { batched.remove(name) }
        handlers[name] = { incoming, logger in
            var replies = [RPCReply?](repeating: nil, count: incoming.count)
            var calls: [(RequestContext, Req)] = []
            var positions: [Int] = []
            calls.reserveCapacity(incoming.count)
            for (position, (header, payload)) in incoming.enumerated() {
                do {
                    // The logger is passed on unchanged: setting metadata per request makes swift-log's stream
                    // handler re-render its metadata every time (~13% of a worker's CPU). Log sites add request_id.
                    calls.append((RequestContext(header: header, logger: logger), try Req(serializedBytes: payload)))
                    positions.append(position)
                } catch {
                    replies[position] = Self.errorReply(
                        RPCError(.invalidArgument, "request payload does not decode as \(Req.protoMessageName)"),
                        requestID: header.requestID)
                }
            }
            if !calls.isEmpty {
                var results = handler(calls)
                if results.count != calls.count {
                    logger.error("batch handler answered \(results.count) of \(calls.count) requests", metadata: ["method": "\(name)"])
                    results = Array(repeating: .failure(RPCError(.internal, "internal error")), count: calls.count)
                }
                for (position, result) in zip(positions, results) {
                    replies[position] = Self.reply(result, to: incoming[position].header, method: name, logger: logger)
                }
            }
            return replies.map { $0! }
        }
    }

    private static func reply<Res: SwiftProtobuf.Message>(_ result: Result<Res, any Error>, to header: Clinic_Bus_V1_RequestHeader,
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
    public func servesInBatches(_ method: String) -> Bool { batched.contains(method) }

    /// Decodes, dispatches and encodes one request; every failure becomes an error reply, never a throw.
    public func handle(header: Clinic_Bus_V1_RequestHeader, payload: [UInt8], logger: Logger) -> RPCReply {
        handle([(header, payload)], logger: logger)[0]
    }

    /// Serves requests that all name the same method, together when it was registered with `registerBatch` and
    /// one by one otherwise; returns one reply per request, in order. Expired requests are answered
    /// DEADLINE_EXCEEDED without reaching the handler.
    public func handle(_ incoming: [Incoming], logger: Logger) -> [RPCReply] {
        guard let method = incoming.first?.header.method else { return [] }
        guard let handler = handlers[method] else {
            return incoming.map {
                Self.errorReply(RPCError(.unimplemented, "method \($0.header.method) is not implemented here"),
                                requestID: $0.header.requestID)
            }
        }
        let now = BusClock.nowMS()
        let expired = { (header: Clinic_Bus_V1_RequestHeader) in header.deadlineUnixMs != 0 && header.deadlineUnixMs <= now }
        if !incoming.contains(where: { expired($0.header) }) { return handler(incoming, logger) }
        var replies = [RPCReply?](repeating: nil, count: incoming.count)
        var live: [Incoming] = []
        var positions: [Int] = []
        for (position, request) in incoming.enumerated() {
            if expired(request.header) {
                replies[position] = Self.errorReply(RPCError(.deadlineExceeded, "deadline passed before the request was handled"),
                                                    requestID: request.header.requestID)
            } else {
                live.append(request)
                positions.append(position)
            }
        }
        if !live.isEmpty {
            for (position, reply) in zip(positions, handler(live, logger)) { replies[position] = reply }
        }
        return replies.map { $0! }
    }

    static func errorReply(_ error: RPCError, requestID: String) -> RPCReply {
        RPCReply(header: error.replyHeader(requestID: requestID), payload: [])
    }
}

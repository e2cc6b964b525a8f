import ClinicProto
import Logging
import SwiftProtobuf

/// The methods one worker thread serves: typed handlers keyed by full method name. Not Sendable: built and
/// used on one worker thread.
public final class WorkerRoutes {
    private typealias Handler = (Clinic_Bus_V1_RequestHeader, [UInt8], Logger) -> RPCReply
    private var handlers: [String: Handler] = [:]

    /// Creates an empty route table.
    public init() {}

    /// Registers `handler` for `method` (a later registration of the same method replaces the earlier one).
    public func register<Req, Res>(_ method: Method<Req, Res>, _ handler: @escaping (RequestContext, Req) throws -> Res) {
        let name = method.fullName
        handlers[name] = { header, payload, logger in
            let request: Req
            do {
                request = try Req(serializedBytes: payload)
            } catch {
                return WorkerRoutes.errorReply(RPCError(.invalidArgument, "request payload does not decode as \(Req.protoMessageName)"),
                                               requestID: header.requestID)
            }
            // The logger is passed on unchanged: setting metadata per request makes swift-log's stream handler
            // re-render its metadata every time (measured at ~13% of a worker's CPU). Log sites add request_id.
            let context = RequestContext(header: header, logger: logger)
            do {
                let response = try handler(context, request)
                var replyHeader = Clinic_Bus_V1_ReplyHeader()
                replyHeader.requestID = header.requestID
                return RPCReply(header: replyHeader, payload: try response.serializedBytes())
            } catch let error as RPCError {
                return WorkerRoutes.errorReply(error, requestID: header.requestID)
            } catch let error as RPCErrorConvertible {
                return WorkerRoutes.errorReply(error.rpcError, requestID: header.requestID)
            } catch {
                logger.error("handler failed", metadata: ["request_id": "\(header.requestID)", "method": "\(name)",
                                                          "error": "\(String(reflecting: type(of: error)))"])
                return WorkerRoutes.errorReply(RPCError(.internal, "internal error"), requestID: header.requestID)
            }
        }
    }

    /// Full names of the methods registered so far.
    public var registeredMethods: Set<String> { Set(handlers.keys) }

    /// Decodes, dispatches and encodes one request; every failure becomes an error reply, never a throw.
    public func handle(header: Clinic_Bus_V1_RequestHeader, payload: [UInt8], logger: Logger) -> RPCReply {
        if header.deadlineUnixMs != 0 && header.deadlineUnixMs <= BusClock.nowMS() {
            return Self.errorReply(RPCError(.deadlineExceeded, "deadline passed before the request was handled"),
                                   requestID: header.requestID)
        }
        guard let handler = handlers[header.method] else {
            return Self.errorReply(RPCError(.unimplemented, "method \(header.method) is not implemented here"),
                                   requestID: header.requestID)
        }
        return handler(header, payload, logger)
    }

    static func errorReply(_ error: RPCError, requestID: String) -> RPCReply {
        RPCReply(header: error.replyHeader(requestID: requestID), payload: [])
    }
}

/// Majordomo (MDP/0.2, ZeroMQ RFC 18) frames as the bus uses them: protocol names and command bytes.
package enum MDP {
    /// Protocol frame of client ⇄ broker messages.
    package static let client: [UInt8] = Array("MDPC02".utf8)
    /// Protocol frame of worker ⇄ broker messages.
    package static let worker: [UInt8] = Array("MDPW02".utf8)

    /// Client commands.
    package enum ClientCommand: UInt8 {
        case request = 0x01
        case partial = 0x02
        case final = 0x03
    }

    /// Worker commands.
    package enum WorkerCommand: UInt8 {
        case ready = 0x01
        case request = 0x02
        case partial = 0x03
        case final = 0x04
        case heartbeat = 0x05
        case disconnect = 0x06
    }

    /// Command frames, made once: every message carries one.
    package static let clientRequestFrame: [UInt8] = [ClientCommand.request.rawValue]
    package static let clientFinalFrame: [UInt8] = [ClientCommand.final.rawValue]
    package static let workerReadyFrame: [UInt8] = [WorkerCommand.ready.rawValue]
    package static let workerRequestFrame: [UInt8] = [WorkerCommand.request.rawValue]
    package static let workerFinalFrame: [UInt8] = [WorkerCommand.final.rawValue]
    package static let workerHeartbeatFrame: [UInt8] = [WorkerCommand.heartbeat.rawValue]
    package static let workerDisconnectFrame: [UInt8] = [WorkerCommand.disconnect.rawValue]

    /// The internal service answering "is service X alive?".
    package static let serviceDiscovery = "mmi.service"
}

/// One decoded bus message, from any of the three parties.
package enum BusMessage: Equatable {
    /// Client → broker: a request for `service`.
    case clientRequest(service: String, header: [UInt8], payload: [UInt8])
    /// Broker → client: the final reply.
    case clientReply(service: String, header: [UInt8], payload: [UInt8])
    /// Worker → broker: the worker serves `service`.
    case ready(service: String)
    /// Broker → worker: a request on behalf of `client`.
    case workerRequest(client: [UInt8], header: [UInt8], payload: [UInt8])
    /// Worker → broker: the reply for `client`.
    case workerReply(client: [UInt8], header: [UInt8], payload: [UInt8])
    /// Either way between worker and broker: still alive.
    case heartbeat
    /// Either way between worker and broker: going away / go away.
    case disconnect
}

/// Why a message could not be decoded; safe to log (carries no payload bytes).
package struct MalformedMessage: Error, Equatable, CustomStringConvertible {
    /// What was wrong.
    package var reason: String
    /// The request header frame, when one could be found (so an error reply can name the request).
    package var requestHeader: [UInt8]?
    /// The service frame, when one could be found.
    package var service: String?

    package var description: String { reason }
}

/// Frames ⇄ `BusMessage`: a pure codec that rejects anything malformed with a reason.
package enum MDPCodec {
    /// Encodes a message as its frames (without any routing identity).
    package static func encode(_ message: BusMessage) -> [[UInt8]] {
        switch message {
        case .clientRequest(let service, let header, let payload):
            [MDP.client, MDP.clientRequestFrame, Array(service.utf8), header, payload]
        case .clientReply(let service, let header, let payload):
            [MDP.client, MDP.clientFinalFrame, Array(service.utf8), header, payload]
        case .ready(let service):
            [MDP.worker, MDP.workerReadyFrame, Array(service.utf8)]
        case .workerRequest(let client, let header, let payload):
            [MDP.worker, MDP.workerRequestFrame, client, [], header, payload]
        case .workerReply(let client, let header, let payload):
            [MDP.worker, MDP.workerFinalFrame, client, [], header, payload]
        case .heartbeat:
            [MDP.worker, MDP.workerHeartbeatFrame]
        case .disconnect:
            [MDP.worker, MDP.workerDisconnectFrame]
        }
    }

    /// Decodes frames (without routing identity) into a message.
    package static func decode(_ frames: [[UInt8]]) -> Result<BusMessage, MalformedMessage> {
        decode(frames[...])
    }

    /// Decodes frames (without routing identity) into a message.
    package static func decode(_ frames: ArraySlice<[UInt8]>) -> Result<BusMessage, MalformedMessage> {
        let start = frames.startIndex
        guard frames.count >= 2 else { return .failure(MalformedMessage(reason: "fewer than two frames")) }
        let proto = frames[start]
        let command = frames[start + 1]
        guard command.count == 1 else { return .failure(MalformedMessage(reason: "command frame is not one byte")) }
        if proto == MDP.client {
            return decodeClient(command[0], frames.dropFirst(2))
        } else if proto == MDP.worker {
            return decodeWorker(command[0], frames.dropFirst(2))
        }
        return .failure(MalformedMessage(reason: "unknown protocol"))
    }

    private static func serviceName(_ frame: [UInt8]) -> String? {
        guard !frame.isEmpty, frame.count <= 255 else { return nil }
        return String(validating: frame, as: UTF8.self)
    }

    private static func decodeClient(_ command: UInt8, _ body: ArraySlice<[UInt8]>) -> Result<BusMessage, MalformedMessage> {
        guard let kind = MDP.ClientCommand(rawValue: command), kind != .partial else {
            let header = body.count >= 2 ? body[body.startIndex + 1] : nil
            return .failure(MalformedMessage(reason: "unknown client command \(command)", requestHeader: header,
                                             service: body.first.flatMap(serviceName)))
        }
        guard body.count == 3 else {
            let header = body.count >= 2 ? body[body.startIndex + 1] : nil
            return .failure(MalformedMessage(reason: "client message has \(body.count) frames after the command, expected 3",
                                             requestHeader: header, service: body.first.flatMap(serviceName)))
        }
        let i = body.startIndex
        guard let service = serviceName(body[i]) else {
            return .failure(MalformedMessage(reason: "service name is empty, too long or not UTF-8", requestHeader: body[i + 1]))
        }
        return .success(kind == .request
            ? .clientRequest(service: service, header: body[i + 1], payload: body[i + 2])
            : .clientReply(service: service, header: body[i + 1], payload: body[i + 2]))
    }

    private static func decodeWorker(_ command: UInt8, _ body: ArraySlice<[UInt8]>) -> Result<BusMessage, MalformedMessage> {
        guard let kind = MDP.WorkerCommand(rawValue: command) else {
            return .failure(MalformedMessage(reason: "unknown worker command \(command)"))
        }
        let i = body.startIndex
        switch kind {
        case .ready:
            guard body.count == 1, let service = serviceName(body[i]) else {
                return .failure(MalformedMessage(reason: "READY needs exactly one valid service name frame"))
            }
            return .success(.ready(service: service))
        case .request, .final:
            guard body.count == 4 else {
                return .failure(MalformedMessage(reason: "\(kind) has \(body.count) frames after the command, expected 4"))
            }
            guard !body[i].isEmpty, body[i + 1].isEmpty else {
                return .failure(MalformedMessage(reason: "\(kind) needs a client address and an empty delimiter"))
            }
            return .success(kind == .request
                ? .workerRequest(client: body[i], header: body[i + 2], payload: body[i + 3])
                : .workerReply(client: body[i], header: body[i + 2], payload: body[i + 3]))
        case .partial:
            return .failure(MalformedMessage(reason: "PARTIAL replies are not supported"))
        case .heartbeat:
            guard body.isEmpty else { return .failure(MalformedMessage(reason: "HEARTBEAT carries extra frames")) }
            return .success(.heartbeat)
        case .disconnect:
            guard body.isEmpty else { return .failure(MalformedMessage(reason: "DISCONNECT carries extra frames")) }
            return .success(.disconnect)
        }
    }
}

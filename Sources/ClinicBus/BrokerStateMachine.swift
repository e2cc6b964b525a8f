import ClinicProto
import Logging
import SwiftProtobuf

/// What the broker's socket loop must do after feeding the state machine an input.
enum BrokerAction: Equatable {
    /// Send `frames` to the peer with routing identity `to`.
    case send(to: [UInt8], frames: [[UInt8]])
    /// Log a line (protocol violations, dropped input, worker churn).
    case log(Logger.Level, String)
}

/// Counts the broker logs now and then.
public struct BrokerStats: Sendable, Equatable {
    /// Services known (with at least one worker or queued request).
    public var services: Int
    /// Live workers.
    public var workers: Int
    /// Requests waiting for a worker.
    public var queued: Int
}

/// The broker's protocol logic as a pure value: decoded input + sender + clock in, frames to send out.
struct BrokerStateMachine {
    struct QueuedRequest {
        var client: [UInt8]
        var requestID: String
        var deadline: Int64
        var header: [UInt8]
        var payload: [UInt8]
        /// The name the client asked for, when it was the proto service (`clinic.reception.v1.Reception`) rather
        /// than the bus service (`clinic.reception.v1`); replies carry it back.
        var askedAs: String?
    }

    struct InFlight {
        var client: [UInt8]
        var requestID: String
        var askedAs: String?
    }

    struct Worker {
        var service: String
        /// The authenticated name of the worker's connection (empty without CURVE).
        var peer: [UInt8]
        var expiry: Int64
        /// Requests sent to the worker and not yet answered (at most `workerCredit`).
        var inFlight: [InFlight] = []
        /// Set once the worker said DISCONNECT while it still held requests: it gets no more, its replies are
        /// still forwarded, and what it has not answered by then is answered UNAVAILABLE.
        var leavingBy: Int64?
    }

    struct Service {
        /// Registered workers, in registration order.
        var members: [[UInt8]] = []
        /// Where the next search for a free worker starts, so equally loaded workers take turns.
        var nextMember = 0
        var queue: [QueuedRequest] = []
        var queueHead = 0
        var workerCount: Int { members.count }
        var queuedCount: Int { queue.count - queueHead }

        /// Appends to the queue, first dropping the consumed head once it dominates the storage.
        mutating func enqueue(_ request: QueuedRequest) {
            if queueHead > 64 && queueHead * 2 > queue.count {
                queue.removeFirst(queueHead)
                queueHead = 0
            }
            queue.append(request)
        }
    }

    let heartbeatMS: Int64
    let liveness: Int64
    let defaultDeadlineMS: Int64
    let maxQueuedPerService: Int
    /// Requests one worker may hold at once; above 1 the worker's socket queues them, hiding the round trip.
    let workerCredit: Int
    private(set) var workers: [PeerKey: Worker] = [:]
    private(set) var services: [String: Service] = [:]
    /// Who may do what on a CURVE bus; nil on a plain bus, where nobody is authenticated and nothing is restricted.
    private(set) var permissions: PeerPermissions?
    private var nextHeartbeat: Int64 = 0
    private var lastTick: Int64 = 0

    init(heartbeatMS: Int64, liveness: Int, defaultDeadlineMS: Int64 = 5000, maxQueuedPerService: Int = 10_000,
         workerCredit: Int = 1, permissions: PeerPermissions? = nil) {
        self.permissions = permissions
        self.workerCredit = max(1, workerCredit)
        self.heartbeatMS = max(1, heartbeatMS)
        self.liveness = Int64(max(1, liveness))
        self.defaultDeadlineMS = defaultDeadlineMS
        self.maxQueuedPerService = maxQueuedPerService
    }

    init(configuration: BrokerConfiguration, permissions: PeerPermissions? = nil) {
        self.init(heartbeatMS: configuration.heartbeatInterval.wholeMilliseconds, liveness: configuration.liveness,
                  defaultDeadlineMS: configuration.defaultDeadline.wholeMilliseconds,
                  maxQueuedPerService: configuration.maxQueuedPerService, workerCredit: configuration.workerCredit,
                  permissions: permissions)
    }

    /// Current counts for logs.
    var stats: BrokerStats {
        BrokerStats(services: services.count, workers: workers.count,
                    queued: services.values.reduce(0) { $0 + $1.queuedCount })
    }

    // MARK: Input

    /// Handles raw frames from `sender` (routing identity already removed); `peer` is the authenticated name of
    /// the sender's connection (its ZAP user id; empty on a plain bus).
    mutating func receive(from sender: [UInt8], peer: [UInt8], frames: ArraySlice<[UInt8]>, now: Int64,
                          into actions: inout [BrokerAction]) {
        // A frame from a known worker refreshes its liveness, whatever it is.
        workers[PeerKey(sender)]?.expiry = now + heartbeatMS * liveness
        switch MDPCodec.decode(frames) {
        case .success(let message):
            handle(message, from: sender, peer: peer, now: now, into: &actions)
        case .failure(let malformed):
            rejectMalformed(malformed, from: sender, frames: frames, into: &actions)
        }
    }

    /// Convenience for tests: handles frames from a peer named `peer` and returns the actions.
    mutating func receive(from sender: [UInt8], peer: String = "", frames: [[UInt8]], now: Int64) -> [BrokerAction] {
        var actions: [BrokerAction] = []
        receive(from: sender, peer: Array(peer.utf8), frames: frames[...], now: now, into: &actions)
        return actions
    }

    /// Handles one decoded message from `sender`, whose connection is authenticated as `peer`.
    mutating func handle(_ message: BusMessage, from sender: [UInt8], peer: [UInt8], now: Int64,
                         into actions: inout [BrokerAction]) {
        switch message {
        case .clientRequest(let service, let header, let payload):
            clientRequest(service: service, header: header, payload: payload, from: sender, peer: peer, now: now,
                          into: &actions)
        case .ready(let service):
            if workers[PeerKey(sender)] != nil || service.hasPrefix("mmi.") {
                violation("READY from a registered worker or for a reserved service", from: sender, into: &actions)
                return
            }
            if let permissions, !permissions.mayServe(String(decoding: peer, as: UTF8.self), service: service) {
                actions.append(.log(.warning, "refused a worker for \(service): peer \(String(decoding: peer, as: UTF8.self)) "
                                        + "may not serve it (see the authorized keys); disconnecting it"))
                actions.append(.send(to: sender, frames: MDPCodec.encode(.disconnect)))
                return
            }
            workers[PeerKey(sender)] = Worker(service: service, peer: peer, expiry: now + heartbeatMS * liveness)
            services[service, default: Service()].members.append(sender)
            actions.append(.log(.info, "worker registered for \(service)"))
            workerHasCapacity(sender, service: service, now: now, into: &actions)
        case .workerReply(let client, let header, let payload):
            guard let worker = workers[PeerKey(sender)], let index = Self.matchingRequest(in: worker.inFlight, client: client, header: header) else {
                violation("FINAL from a worker with no matching request", from: sender, into: &actions)
                return
            }
            let answered = workers[PeerKey(sender)]!.inFlight.remove(at: index)
            actions.append(.send(to: client, frames: MDPCodec.encode(.clientReply(service: answered.askedAs ?? worker.service,
                                                                                  header: header, payload: payload))))
            if worker.leavingBy != nil {
                // A leaving worker gets nothing new; once it has answered everything it is gone.
                if workers[PeerKey(sender)]?.inFlight.isEmpty == true { removeWorker(sender, reason: "worker left", into: &actions) }
            } else {
                workerHasCapacity(sender, service: worker.service, now: now, into: &actions)
            }
        case .heartbeat:
            if workers[PeerKey(sender)] == nil { violation("HEARTBEAT from an unregistered worker", from: sender, into: &actions) }
        case .disconnect:
            guard let worker = workers[PeerKey(sender)] else { return }
            if worker.inFlight.isEmpty || worker.leavingBy != nil {
                removeWorker(sender, reason: "worker disconnected", into: &actions)
            } else {
                // A stopping worker finishes what it holds: no new requests, its replies still go through, and
                // whatever is left after the liveness period is answered UNAVAILABLE.
                if var service = services[worker.service] {
                    service.members.removeAll { $0 == sender }
                    services[worker.service] = service
                }
                workers[PeerKey(sender)]?.leavingBy = now + heartbeatMS * liveness
                actions.append(.log(.info, "worker leaving with \(worker.inFlight.count) request(s) to finish: service \(worker.service)"))
            }
        case .clientReply, .workerRequest:
            if workers[PeerKey(sender)] != nil {
                violation("broker-only command from a worker", from: sender, into: &actions)
            } else {
                actions.append(.log(.warning, "dropped a broker-only command sent by a client"))
            }
        }
    }

    /// Puts new permissions in place (the authorized keys were reloaded): workers whose peer may no longer serve
    /// their service are told DISCONNECT and dropped, their requests answered UNAVAILABLE.
    mutating func updatePermissions(_ permissions: PeerPermissions, into actions: inout [BrokerAction]) {
        guard self.permissions != nil else { return }
        self.permissions = permissions
        let revoked = workers.filter { !permissions.mayServe(String(decoding: $0.value.peer, as: UTF8.self), service: $0.value.service) }
        for (identity, worker) in revoked {
            actions.append(.log(.warning, "peer \(String(decoding: worker.peer, as: UTF8.self)) may no longer serve \(worker.service); "
                                    + "disconnecting its worker"))
            actions.append(.send(to: identity.bytes, frames: MDPCodec.encode(.disconnect)))
            removeWorker(identity.bytes, reason: "worker dropped after the authorized keys changed", into: &actions)
        }
    }

    /// Housekeeping: heartbeats out, dead workers out, expired queued requests answered.
    mutating func tick(now: Int64, into actions: inout [BrokerAction]) {
        lastTick = now
        var dead: [[UInt8]] = []
        for (identity, worker) in workers where worker.expiry <= now || (worker.leavingBy ?? .max) <= now { dead.append(identity.bytes) }
        for identity in dead { removeWorker(identity, reason: "worker expired (missed heartbeats)", into: &actions) }

        for name in Array(services.keys) {
            guard var service = services.removeValue(forKey: name) else { continue }
            if service.queuedCount > 0 {
                var kept: [QueuedRequest] = []
                for request in service.queue[service.queueHead...] {
                    if request.deadline <= now {
                        actions.append(expiredReply(request, service: name, hasWorkers: service.workerCount > 0))
                    } else {
                        kept.append(request)
                    }
                }
                service.queue = kept
                service.queueHead = 0
            }
            if service.workerCount > 0 || service.queuedCount > 0 { services[name] = service }
        }

        if now >= nextHeartbeat {
            nextHeartbeat = now + heartbeatMS
            let heartbeat = MDPCodec.encode(.heartbeat)
            for identity in workers.keys { actions.append(.send(to: identity.bytes, frames: heartbeat)) }
        }
    }

    /// Convenience for tests.
    mutating func tick(now: Int64) -> [BrokerAction] {
        var actions: [BrokerAction] = []
        tick(now: now, into: &actions)
        return actions
    }

    /// Milliseconds until the next `tick` is due (soon while requests wait, so deadlines are met within a few ms).
    func msUntilNextTick(now: Int64) -> Int64 {
        let waiting = services.values.contains { $0.queuedCount > 0 }
        let untilHeartbeat = max(0, nextHeartbeat - now)
        // While requests wait, tick every 5 ms so their deadlines are answered on time.
        return waiting ? min(untilHeartbeat, max(0, lastTick + 5 - now)) : untilHeartbeat
    }

    // MARK: Internals

    private mutating func clientRequest(service asked: String, header: [UInt8], payload: [UInt8], from client: [UInt8],
                                        peer: [UInt8], now: Int64, into actions: inout [BrokerAction]) {
        guard workers[PeerKey(client)] == nil else {
            violation("client request from a worker's connection", from: client, into: &actions)
            return
        }
        // Only the request id and the deadline matter here: read them off the wire, not by decoding the header.
        guard let decoded = EnvelopePeek.requestFields(header) else {
            // No request id to echo, but the client is waiting: say what was wrong rather than let it time out.
            actions.append(.log(.warning, "refused a request for \(asked): header does not decode"))
            actions.append(reply(to: client, service: asked, requestID: "", error: Self.undecodableHeader))
            return
        }
        let requestID = decoded.requestID
        // Admitted at its handshake, but the keys may have been reloaded without it since.
        if let permissions, !permissions.isAdmitted(peer) {
            actions.append(.log(.warning, "refused a request from peer \(String(decoding: peer, as: UTF8.self)): its key is no longer authorized"))
            actions.append(reply(to: client, service: asked, requestID: requestID,
                                 error: RPCError(.unauthenticated, "this peer's key is no longer authorized on the bus")))
            return
        }
        // The worker learns who sent the request from the broker alone: whatever the client wrote is overridden.
        let header = Self.stamping(header, peer: peer)
        if asked == MDP.serviceDiscovery {
            let wanted = String(decoding: payload, as: UTF8.self)
            let alive = (services[busService(for: wanted)]?.workerCount ?? 0) > 0
            actions.append(reply(to: client, service: asked, requestID: requestID,
                                 error: alive ? nil : RPCError(.notFound, "no live worker for service \(wanted)")))
            return
        }
        let name = busService(for: asked)
        let askedAs = name == asked ? nil : asked
        let deadline = decoded.deadlineUnixMs == 0 ? now + defaultDeadlineMS : decoded.deadlineUnixMs
        if deadline <= now {
            actions.append(reply(to: client, service: asked, requestID: requestID,
                                 error: RPCError(.deadlineExceeded, "deadline passed before the request reached \(asked)")))
            return
        }
        // The service entry is changed in place: this runs for every request.
        if let worker = Self.leastLoadedWorker(of: &services[name, default: Service()], workers: workers, credit: workerCredit) {
            dispatch(to: worker, client: client, requestID: requestID, header: header, payload: payload, askedAs: askedAs,
                     into: &actions)
            return
        }
        guard services[name, default: Service()].queuedCount < maxQueuedPerService else {
            actions.append(reply(to: client, service: asked, requestID: requestID,
                                 error: RPCError(.resourceExhausted, "too many requests queued for \(name)")))
            return
        }
        services[name, default: Service()].enqueue(QueuedRequest(client: client, requestID: requestID, deadline: deadline,
                                                                 header: header, payload: payload, askedAs: askedAs))
    }

    /// The bus service a request naming `asked` goes to. Workers register under the proto package
    /// (`clinic.reception.v1`); a client may name the proto service instead (`clinic.reception.v1.Reception`, as in
    /// the method's full name: its last part is capitalised), which goes to its package unless workers registered
    /// under that very name. Decided by the name, so a request that waits for the package's first worker is queued
    /// where that worker will look.
    private func busService(for asked: String) -> String {
        // The common case first: workers registered under the very name asked for.
        if services[asked]?.workerCount ?? 0 > 0 { return asked }
        guard let dot = asked.lastIndex(of: "."), asked[asked.index(after: dot)...].first?.isUppercase == true else { return asked }
        return String(asked[..<dot])
    }

    private mutating func dispatch(to worker: [UInt8], client: [UInt8], requestID: String, header: [UInt8],
                                   payload: [UInt8], askedAs: String?, into actions: inout [BrokerAction]) {
        workers[PeerKey(worker)]!.inFlight.append(InFlight(client: client, requestID: requestID, askedAs: askedAs))
        actions.append(.send(to: worker, frames: MDPCodec.encode(.workerRequest(client: client, header: header, payload: payload))))
    }

    /// The worker of `service` with the fewest requests in hand, if one is below `credit` (ties take turns).
    private static func leastLoadedWorker(of service: inout Service, workers: [PeerKey: Worker], credit: Int) -> [UInt8]? {
        let count = service.members.count
        guard count > 0 else { return nil }
        var best: [UInt8]?
        var bestLoad = credit
        for step in 0..<count {
            let identity = service.members[(service.nextMember + step) % count]
            let load = workers[PeerKey(identity)]?.inFlight.count ?? credit
            if load < bestLoad {
                best = identity
                bestLoad = load
                if load == 0 { break }
            }
        }
        if best != nil { service.nextMember = (service.nextMember + 1) % count }
        return best
    }

    /// Which in-flight request a FINAL answers: by request id from the reply header, else the oldest of that client.
    static func matchingRequest(in inFlight: [InFlight], client: [UInt8], header: [UInt8]) -> Int? {
        if inFlight.count > 1, let requestID = EnvelopePeek.replyRequestID(header),
           let index = inFlight.firstIndex(where: { $0.client == client && $0.requestID == requestID }) {
            return index
        }
        return inFlight.firstIndex { $0.client == client }
    }

    /// A worker can take more: give it the oldest live queued requests up to its credit.
    private mutating func workerHasCapacity(_ identity: [UInt8], service name: String, now: Int64, into actions: inout [BrokerAction]) {
        // Nearly always nothing waits: look before taking the entry out.
        guard services[name]?.queuedCount ?? 0 > 0, var service = services.removeValue(forKey: name) else { return }
        defer { services[name] = service }
        while service.queuedCount > 0, (workers[PeerKey(identity)]?.inFlight.count ?? workerCredit) < workerCredit {
            let request = service.queue[service.queueHead]
            service.queueHead += 1
            if service.queueHead == service.queue.count {
                service.queue.removeAll(keepingCapacity: true)
                service.queueHead = 0
            }
            if request.deadline <= now {
                actions.append(expiredReply(request, service: name, hasWorkers: true))
                continue
            }
            dispatch(to: identity, client: request.client, requestID: request.requestID, header: request.header,
                     payload: request.payload, askedAs: request.askedAs, into: &actions)
        }
    }

    private mutating func removeWorker(_ identity: [UInt8], reason: String, into actions: inout [BrokerAction]) {
        guard let worker = workers.removeValue(forKey: PeerKey(identity)) else { return }
        if var service = services[worker.service] {
            service.members.removeAll { $0 == identity }
            services[worker.service] = service
        }
        actions.append(.log(.info, "\(reason): service \(worker.service)"))
        for inFlight in worker.inFlight {
            actions.append(reply(to: inFlight.client, service: inFlight.askedAs ?? worker.service, requestID: inFlight.requestID,
                                 error: RPCError(.unavailable, "the worker for \(worker.service) went away during the request")))
        }
    }

    private mutating func violation(_ reason: String, from sender: [UInt8], into actions: inout [BrokerAction]) {
        actions.append(.log(.warning, "protocol violation: \(reason); disconnecting the peer"))
        actions.append(.send(to: sender, frames: MDPCodec.encode(.disconnect)))
        removeWorker(sender, reason: "worker dropped after a protocol violation", into: &actions)
    }

    private mutating func rejectMalformed(_ malformed: MalformedMessage, from sender: [UInt8], frames: ArraySlice<[UInt8]>,
                                          into actions: inout [BrokerAction]) {
        let fromWorker = workers[PeerKey(sender)] != nil || frames.first == MDP.worker
        if fromWorker {
            violation(malformed.reason, from: sender, into: &actions)
            return
        }
        // An MDP client gets an answer whatever it sent, with its request id when the header gives one, rather
        // than wait out its deadline; a peer that does not speak MDP could not read one.
        guard frames.first == MDP.client else {
            actions.append(.log(.warning, "dropped a message that is not MDP: \(malformed.reason)"))
            return
        }
        let requestID = malformed.requestHeader.flatMap(EnvelopePeek.requestFields)?.requestID ?? ""
        actions.append(.log(.warning, "rejected a malformed client request: \(malformed.reason)"))
        actions.append(reply(to: sender, service: malformed.service ?? "", requestID: requestID,
                             error: RPCError(.invalidArgument, "malformed request: \(malformed.reason)")))
    }

    /// `header` (a well-formed encoded `RequestHeader`) with `peer = <peer>` (field 8) appended: protobuf keeps the
    /// last value of a singular field, so this one wins over any the client wrote, without decoding the header.
    /// Appended even when `peer` is empty (`0x42 0x00`), so that no client on a plain bus can name itself either.
    static func stamping(_ header: [UInt8], peer: [UInt8]) -> [UInt8] {
        var stamped: [UInt8] = []
        stamped.reserveCapacity(header.count + peer.count + 6)
        stamped.append(contentsOf: header)
        stamped.append(peerFieldKey)
        ProtobufVarint.append(UInt64(peer.count), to: &stamped)
        stamped.append(contentsOf: peer)
        return stamped
    }

    /// Field 8 (`peer`), wire type 2 (length-delimited).
    static let peerFieldKey: UInt8 = 8 << 3 | 2

    /// The answer to a request whose header frame is not a `clinic.bus.v1.RequestHeader`.
    static let undecodableHeader = RPCError(
        .invalidArgument, "the request header frame does not decode as clinic.bus.v1.RequestHeader (protobuf binary)")

    private func expiredReply(_ request: QueuedRequest, service: String, hasWorkers: Bool) -> BrokerAction {
        let error = hasWorkers
            ? RPCError(.deadlineExceeded, "deadline passed while waiting for a free worker of \(service)")
            : RPCError(.unavailable, "no worker for service \(service)")
        return reply(to: request.client, service: request.askedAs ?? service, requestID: request.requestID, error: error)
    }

    private func reply(to client: [UInt8], service: String, requestID: String, error: RPCError?) -> BrokerAction {
        var header = Clinic_Bus_V1_ReplyHeader()
        header.requestID = requestID
        if let error { header = error.replyHeader(requestID: requestID) }
        let bytes: [UInt8] = (try? header.serializedBytes()) ?? []
        return .send(to: client, frames: MDPCodec.encode(.clientReply(service: service, header: bytes, payload: [])))
    }
}

/// A peer's routing identity as a dictionary key, hashed as one block of bytes rather than byte by byte (as
/// `[UInt8]` hashes itself): the broker looks workers up several times per message.
struct PeerKey: Hashable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

import ClinicProto
import CZeroMQ
import Foundation
import Logging
import Synchronization

/// Serves one bus service with N threads, each with its own DEALER socket, route table and protocol state.
public final class WorkerPool: Sendable {
    private struct Running {
        var group: DispatchGroup
        var signals: [StopSignal]
    }

    /// The pool's settings.
    public let configuration: WorkerConfiguration
    private let logger: Logger
    private let makeRoutes: @Sendable (_ threadIndex: Int) throws -> WorkerRoutes
    private let running = Mutex<Running?>(nil)
    /// The one client every worker thread of the pool calls other services through.
    public let outbound: OutboundBus

    /// Creates a pool; `makeRoutes` runs on each worker thread when it starts (and again after it throws).
    /// `outbound` is the process's client for calls out (by default one to the pool's broker, made here).
    public init(configuration: WorkerConfiguration, logger: Logger, outbound: OutboundBus? = nil,
                makeRoutes: @escaping @Sendable (_ threadIndex: Int) throws -> WorkerRoutes) {
        self.configuration = configuration
        self.logger = logger
        self.makeRoutes = makeRoutes
        self.outbound = outbound
            ?? OutboundBus(endpoint: configuration.brokerEndpoint, security: configuration.security, logger: logger)
    }

    /// Starts the worker threads; they connect (and reconnect) to the broker on their own.
    public func start() throws {
        guard configuration.threads > 0 else {
            throw BusError(operation: "start worker pool", reason: "threads must be at least 1")
        }
        try running.withLock { running in
            guard running == nil else { throw BusError(operation: "start worker pool", reason: "already started") }
            let group = DispatchGroup()
            var signals: [StopSignal] = []
            let heartbeatMS = configuration.heartbeatInterval.wholeMilliseconds
            let covers = (0..<configuration.threads).map { _ in BusyHeartbeat(heartbeatMS: heartbeatMS) }
            for index in 0..<configuration.threads {
                let signal = StopSignal(name: "worker-\(index)")
                signals.append(signal)
                group.enter()
                let thread = Thread { [self] in
                    defer { group.leave() }
                    run(index: index, stop: signal, cover: covers[index])
                }
                thread.name = "clinic-worker-\(configuration.service)-\(index)"
                thread.start()
            }
            let signal = StopSignal(name: "worker-heartbeats")
            signals.append(signal)
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                coverBusyWorkers(covers, stop: signal)
            }
            thread.name = "clinic-worker-\(configuration.service)-heartbeats"
            thread.start()
            running = Running(group: group, signals: signals)
        }
    }

    /// Stops taking work, lets in-flight requests finish, says DISCONNECT, closes sockets and joins the threads.
    public func stop() {
        guard let current = running.withLock({ running in
            defer { running = nil }
            return running
        }) else { return }
        for signal in current.signals { signal.fire() }
        current.group.wait()
        outbound.close()
    }

    // MARK: Heartbeat thread

    /// Sends due heartbeats for worker threads whose handlers are running, until stopped.
    private func coverBusyWorkers(_ covers: [BusyHeartbeat], stop: StopSignal) {
        guard let stopSocket = try? stop.makeReceiver() else {
            logger.error("worker heartbeat thread could not open its stop socket; slow handlers may be taken for dead")
            return
        }
        defer { stopSocket.close() }
        // Wake twice per beat, so a beat is never more than half a beat late.
        let wakeMS = Int(max(1, (covers.first?.beatEveryMS ?? 500) / 2))
        while !stop.isFired {
            if (try? Socket.poll([stopSocket], timeoutMS: wakeMS))?.first == true { return }
            let now = BusClock.nowMS()
            for cover in covers { cover.beatIfDue(now: now) }
        }
    }

    // MARK: Worker thread

    private func run(index: Int, stop: StopSignal, cover: BusyHeartbeat) {
        var logger = self.logger
        logger[metadataKey: "service"] = "\(configuration.service)"
        logger[metadataKey: "worker"] = "\(index)"
        let stopSocket: Socket
        do {
            stopSocket = try stop.makeReceiver()
        } catch {
            logger.error("worker could not open its stop socket", metadata: ["error": "\(error)"])
            return
        }
        defer { stopSocket.close() }
        let heartbeatMS = configuration.heartbeatInterval.wholeMilliseconds

        // Waits on the stop socket instead of sleeping, so stop() is never delayed. Returns true if stopping.
        func pause(ms: Int64) -> Bool {
            if stop.isFired { return true }
            let fired = (try? Socket.poll([stopSocket], timeoutMS: Int(ms)))?.first ?? false
            return fired || stop.isFired
        }

        var routes: WorkerRoutes?
        while routes == nil {
            do {
                routes = try makeRoutes(index)
            } catch {
                logger.error("worker could not set up its routes; retrying", metadata: ["error": "\(error)"])
                if pause(ms: max(heartbeatMS, 1000)) { return }
            }
        }
        guard let routes else { return }
        if routes.outbound == nil { routes.outbound = outbound }

        var machine = WorkerStateMachine(service: configuration.service, heartbeatMS: heartbeatMS,
                                         liveness: configuration.liveness)
        while !stop.isFired {
            let socket: Socket
            do {
                socket = try Socket(.dealer)
                try socket.setOption64(ZMQ_MAXMSGSIZE, Int64(configuration.maxMessageBytes))
                try socket.secure(as: configuration.security)
                try socket.connect(configuration.brokerEndpoint)
            } catch {
                logger.error("worker could not open its socket; retrying", metadata: ["error": "\(error)"])
                if pause(ms: heartbeatMS) { return }
                continue
            }
            let reconnect = serve(socket: socket, stopSocket: stopSocket, stop: stop, machine: &machine,
                                  routes: routes, cover: cover, logger: logger)
            if !reconnect {
                let goodbye = machine.stopping()
                perform(goodbye, socket: socket, logger: logger)
                if !goodbye.isEmpty { finishHeld(socket: socket, machine: &machine, routes: routes, cover: cover, logger: logger) }
                socket.close()
                return
            }
            socket.close()
            if pause(ms: heartbeatMS) { return }
        }
    }

    /// Serves on one socket; returns true to reconnect with a new socket, false when stopping.
    private func serve(socket: Socket, stopSocket: Socket, stop: StopSignal, machine: inout WorkerStateMachine,
                       routes: WorkerRoutes, cover: BusyHeartbeat, logger: Logger) -> Bool {
        if perform(machine.socketConnected(now: BusClock.nowMS()), socket: socket, logger: logger) { return true }
        let lent = BusyHeartbeat.LentSocket(socket)
        var poll = PollPair(socket, stopSocket)
        while !stop.isFired {
            do {
                let timeout = Int(min(machine.msUntilNextTick(now: BusClock.nowMS()), 500))
                let (readable, stopping) = try poll.poll(timeoutMS: timeout)
                if stopping { return false }
                if readable {
                    var replies = ReplyBatch()
                    defer { replies.flush(on: socket, logger: logger) }
                    // What is waiting is taken off the socket a bounded amount at a time, so requests of a method
                    // served in batches that arrived together are handled together. Every request taken is
                    // answered, even when a stop comes meanwhile. The socket is drained before the tick below:
                    // broker heartbeats that came in while a handler ran prove the broker alive.
                    var actions: [WorkerAction] = []
                    repeat {
                        try Self.takeWaiting(from: socket, into: &actions, machine: &machine)
                        if try handleAll(actions, socket: socket, lent: lent, machine: &machine, routes: routes,
                                         cover: cover, replies: &replies, logger: logger) {
                            return true
                        }
                    } while !actions.isEmpty && !stop.isFired
                    if stop.isFired { return false }
                }
                if perform(machine.tick(now: BusClock.nowMS()), socket: socket, logger: logger) { return true }
            } catch {
                logger.error("worker socket failed; reconnecting", metadata: ["error": "\(error)"])
                return true
            }
        }
        return false
    }

    /// After DISCONNECT: answers the requests this worker still holds (queued on its socket, or dispatched before
    /// the broker read the DISCONNECT), until the socket has been quiet a while or the broker's patience (its
    /// liveness period) is spent. The broker forwards these replies and sends nothing new.
    private func finishHeld(socket: Socket, machine: inout WorkerStateMachine, routes: WorkerRoutes, cover: BusyHeartbeat,
                            logger: Logger) {
        let heartbeatMS = configuration.heartbeatInterval.wholeMilliseconds
        let giveUp = BusClock.nowMS() + heartbeatMS * Int64(configuration.liveness)
        let quietMS = min(max(heartbeatMS / 2, 20), 250)
        let lent = BusyHeartbeat.LentSocket(socket)
        var finished = 0
        do {
            while BusClock.nowMS() < giveUp, try Socket.poll([socket], timeoutMS: Int(quietMS))[0] {
                var replies = ReplyBatch()
                defer { replies.flush(on: socket, logger: logger) }
                var actions: [WorkerAction] = []
                try Self.takeWaiting(from: socket, into: &actions, machine: &machine)
                finished += actions.count { if case .handle = $0 { true } else { false } }
                // A reconnect asked for now means the broker has let this worker go: nothing more will come.
                if try handleAll(actions, socket: socket, lent: lent, machine: &machine, routes: routes, cover: cover,
                                 replies: &replies, logger: logger) { break }
            }
        } catch {
            logger.warning("worker could not finish what it held", metadata: ["error": "\(error)"])
        }
        if finished > 0 { logger.info("worker finished what it held before leaving", metadata: ["requests": "\(finished)"]) }
    }

    /// Replaces `actions` with what the messages waiting on the socket (up to `drainLimit`) ask for; the array's
    /// storage is reused, since this runs for every batch.
    private static func takeWaiting(from socket: Socket, into actions: inout [WorkerAction],
                                    machine: inout WorkerStateMachine) throws {
        actions.removeAll(keepingCapacity: true)
        while actions.count < drainLimit, let frames = try socket.receive(dontWait: true) {
            actions.append(contentsOf: machine.received(frames, now: BusClock.nowMS()))
        }
    }

    /// Most actions (requests, mostly) taken off the socket before the first of them is handled.
    private static let drainLimit = 64

    /// Runs actions that may include handling requests. Returns true when a reconnect was asked for.
    private func handleAll(_ actions: [WorkerAction], socket: Socket, lent: BusyHeartbeat.LentSocket,
                           machine: inout WorkerStateMachine, routes: WorkerRoutes, cover: BusyHeartbeat,
                           replies: inout ReplyBatch, logger: Logger) throws -> Bool {
        // Each request header is decoded once, here: grouping looks at the method of the request behind.
        let headers = actions.map { action -> Clinic_Bus_V1_RequestHeader? in
            guard case .handle(_, let bytes, _) = action else { return nil }
            return try? Clinic_Bus_V1_RequestHeader(serializedBytes: bytes)
        }
        var index = 0
        while index < actions.count {
            guard case .handle(let client, let headerBytes, let payload) = actions[index] else {
                replies.flush(on: socket, logger: logger)
                if perform([actions[index]], socket: socket, logger: logger) { return true }
                index += 1
                continue
            }
            let decoded = headers[index]
            index += 1
            guard let header = decoded else {
                // Still answer under the request's id when it can be read, so the caller is not left waiting.
                let reply = WorkerRoutes.errorReply(RPCError(.invalidArgument, "request header does not decode"),
                                                    requestID: EnvelopePeek.requestFields(headerBytes)?.requestID ?? "")
                reply.queue(for: client, machine: &machine, into: &replies)
                continue
            }
            let started = BusClock.monotonicNS()
            // The socket is lent out while a handler runs, so a slow handler's worker keeps heartbeating.
            if routes.servesInBatches(header.method) {
                // The requests right behind it for the same method go along with it.
                var clients = [client]
                var incoming: [WorkerRoutes.Incoming] = [(header, payload)]
                while index < actions.count, case .handle(let next, _, let nextPayload) = actions[index],
                      let nextHeader = headers[index], nextHeader.method == header.method {
                    clients.append(next)
                    incoming.append((nextHeader, nextPayload))
                    index += 1
                }
                let answers = cover.lending(lent) { routes.handle(incoming, logger: logger) }
                for (client, reply) in zip(clients, answers) { reply.queue(for: client, machine: &machine, into: &replies) }
            } else {
                let reply = cover.lending(lent) { routes.handle(header: header, payload: payload, logger: logger) }
                reply.queue(for: client, machine: &machine, into: &replies)
            }
            // Quick replies wait for the rest of the batch; a slow handler's replies leave at once.
            if replies.messages.count >= ReplyBatch.limit || BusClock.monotonicNS() - started > ReplyBatch.slowHandlerNS {
                replies.flush(on: socket, logger: logger)
            }
        }
        return false
    }

    /// Runs send/log/reconnect actions. Returns true when a reconnect was asked for.
    @discardableResult
    private func perform(_ actions: [WorkerAction], socket: Socket, logger: Logger) -> Bool {
        var reconnect = false
        for action in actions {
            switch action {
            case .send(let frames):
                do {
                    if try !socket.send(frames, dontWait: true) { logger.debug("broker not reachable; message dropped") }
                } catch {
                    logger.warning("worker send failed", metadata: ["error": "\(error)"])
                }
            case .log(let level, let message):
                logger.log(level: level, "\(message)")
            case .reconnect:
                reconnect = true
            case .handle:
                logger.error("internal: request action outside the request path")
            }
        }
        return reconnect
    }
}

private extension RPCReply {
    /// Encodes this reply for `client` and holds it in `replies`.
    func queue(for client: [UInt8], machine: inout WorkerStateMachine, into replies: inout ReplyBatch) {
        let encodedHeader: [UInt8] = (try? header.serializedBytes()) ?? []
        for case .send(let frames) in machine.replied(client: client, header: encodedHeader, payload: payload,
                                                      now: BusClock.nowMS()) {
            replies.messages.append(frames)
        }
    }
}

/// Replies of quickly handled requests, sent together so libzmq wakes its I/O thread once per batch.
private struct ReplyBatch {
    /// Most replies held back at once.
    static let limit = 32
    /// A handler slower than this (50 µs) sends its reply without waiting for the batch.
    static let slowHandlerNS: UInt64 = 50_000
    var messages: [[[UInt8]]] = []

    /// Sends every held reply, in order.
    mutating func flush(on socket: Socket, logger: Logger) {
        for frames in messages {
            do {
                if try !socket.send(frames, dontWait: true) { logger.debug("broker not reachable; reply dropped") }
            } catch {
                logger.warning("worker send failed", metadata: ["error": "\(error)"])
            }
        }
        messages.removeAll(keepingCapacity: true)
    }
}

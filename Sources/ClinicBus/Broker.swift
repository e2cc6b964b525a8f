import CZeroMQ
import Foundation
import Logging
import Synchronization

/// The bus broker: a ROUTER for clients and workers driven by `BrokerStateMachine`, plus an XSUB/XPUB event proxy.
/// With CURVE all three endpoints are CURVE servers whose handshakes its ZAP handler checks against the
/// authorized keys; every request it forwards carries the sender's authenticated name as `peer`.
public final class Broker: Sendable {
    /// Endpoints actually bound (real ports when `*` was configured).
    public struct Endpoints: Sendable, Equatable {
        /// ROUTER endpoint for clients and workers.
        public var requests: String
        /// XSUB endpoint for event publishers.
        public var eventsIn: String
        /// XPUB endpoint for event subscribers.
        public var eventsOut: String
    }

    private struct State {
        var endpoints: Endpoints?
        var stats = BrokerStats(services: 0, workers: 0, queued: 0)
        var threads: DispatchGroup?
    }

    /// The broker's settings.
    public let configuration: BrokerConfiguration
    private let logger: Logger
    private let state = Mutex(State())
    private let routerStop: StopSignal
    private let proxyStop: StopSignal
    /// The broker's own context: its ZAP handler answers for this context's sockets only.
    private let context = ZMQContext()
    /// The admitted peers (CURVE only), loaded at `start()`.
    private let peers = Mutex<AuthorizedPeers?>(nil)
    private let zap = Mutex<ZAPHandler?>(nil)

    /// The ZAP domain the broker's CURVE sockets use.
    static let zapDomain = "clinic-bus"

    /// Creates a broker; nothing is bound until `start()`.
    public init(configuration: BrokerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        routerStop = StopSignal(name: "broker", context: context)
        proxyStop = StopSignal(name: "events", context: context)
    }

    deinit {
        // Every socket of the context is closed by now: the threads that own them hold the broker until they end.
        context.terminate()
    }

    /// The bound endpoints, once started.
    public var endpoints: Endpoints? { state.withLock { $0.endpoints } }

    /// The latest counts of services, workers and queued requests.
    public var stats: BrokerStats { state.withLock { $0.stats } }

    /// Binds all sockets (each on its own thread) and starts serving; throws if a bind fails, if the keys cannot
    /// be read, or if plain mode is asked for on an endpoint that is not loopback.
    public func start() throws {
        try configuration.checkSecurity()
        if case .curve(_, let file) = configuration.security {
            let admitted = try AuthorizedPeers(file: file)
            let handler = ZAPHandler(peers: admitted, domain: Self.zapDomain, context: context, logger: logger)
            // Bound before any endpoint: without a handler libzmq would admit every CURVE key.
            try handler.start()
            peers.withLock { $0 = admitted }
            zap.withLock { $0 = handler }
            logger.info("CURVE on: admitting the peers listed in the authorized keys",
                        metadata: ["authorized_keys": "\(file)", "peers": "\(admitted.permissions.peerCount)"])
        } else {
            logger.warning("CURVE off: the bus is neither encrypted nor authenticated (loopback endpoints only)")
        }
        let group = DispatchGroup()
        let started = DispatchSemaphore(value: 0)
        let outcome = Mutex<(router: Result<String, BusError>?, proxy: Result<(String, String), BusError>?)>((nil, nil))

        group.enter()
        let routerThread = Thread { [self] in
            defer { group.leave() }
            runRouter { result in
                outcome.withLock { $0.router = result }
                started.signal()
            }
        }
        routerThread.name = "clinic-bus-broker"
        routerThread.start()

        group.enter()
        let proxyThread = Thread { [self] in
            defer { group.leave() }
            runProxy { result in
                outcome.withLock { $0.proxy = result }
                started.signal()
            }
        }
        proxyThread.name = "clinic-bus-events"
        proxyThread.start()

        started.wait()
        started.wait()
        state.withLock { $0.threads = group }
        let (router, proxy) = outcome.withLock { ($0.router, $0.proxy) }
        switch (router, proxy) {
        case (.success(let requests), .success(let events)):
            let endpoints = Endpoints(requests: requests, eventsIn: events.0, eventsOut: events.1)
            state.withLock { $0.endpoints = endpoints }
            logger.info("broker listening", metadata: ["requests": "\(requests)", "events_in": "\(events.0)",
                                                       "events_out": "\(events.1)"])
        case (.failure(let error), _), (_, .failure(let error)):
            stop()
            throw error
        default:
            stop()
            throw BusError(operation: "start broker", reason: "a socket thread did not report")
        }
    }

    /// Stops both loops, closes their sockets and waits for their threads; then the ZAP handler.
    public func stop() {
        routerStop.fire()
        proxyStop.fire()
        let group = state.withLock { state in
            defer { state.threads = nil }
            return state.threads
        }
        group?.wait()
        // Only now that no CURVE socket is open may the handler go.
        zap.withLock { handler in
            defer { handler = nil }
            return handler
        }?.stop()
    }

    /// Reads the authorized-keys file again (as on SIGHUP) and returns how many peers it lists. New handshakes
    /// are checked against the new list at once; connections already open whose key is no longer listed get
    /// UNAUTHENTICATED for their requests, and their workers DISCONNECT. A file that does not parse leaves the
    /// current list in place and throws, naming the line.
    @discardableResult
    public func reloadAuthorizedKeys() throws(CurveKeyError) -> Int {
        guard let peers = peers.withLock({ $0 }) else {
            throw CurveKeyError(.unsupported, "the broker runs without CURVE: there are no authorized keys to reload")
        }
        let keys = try peers.reload()
        logger.info("authorized keys reloaded", metadata: ["authorized_keys": "\(peers.file)", "peers": "\(keys.entries.count)"])
        return keys.entries.count
    }

    // MARK: Threads

    private func runRouter(report: (Result<String, BusError>) -> Void) {
        let router: Socket
        let stopSocket: Socket
        let security = configuration.security
        do {
            router = try Socket(.router, context: context)
            if case .curve(let pair, _) = security { try router.secureAsServer(pair, zapDomain: Self.zapDomain) }
            try router.setOption(ZMQ_ROUTER_MANDATORY, Int32(1))
            try router.setOption64(ZMQ_MAXMSGSIZE, Int64(configuration.maxMessageBytes))
            try router.setQueueLimits(messages: 100_000)
            try router.bind(configuration.endpoint)
            stopSocket = try routerStop.makeReceiver()
        } catch let error as BusError {
            report(.failure(error))
            return
        } catch {
            report(.failure(BusError(operation: "broker socket", reason: "\(error)")))
            return
        }
        report(.success(router.lastEndpoint))
        defer {
            router.close()
            stopSocket.close()
        }

        // Only a CURVE bus knows its peers: reading their names off every message is skipped on a plain one.
        let admitted = peers.withLock { $0 }
        var machine = BrokerStateMachine(configuration: configuration, permissions: admitted?.permissions)
        var permissionsSeen = admitted?.generation ?? 0
        var peer: [UInt8] = []
        let readsPeers = admitted != nil
        // Peers that put an empty delimiter frame before the protocol frame (a REQ socket does, and RFC 7 style
        // peers do): they get one back in front of every message, so a REQ client accepts its reply.
        var delimited = RecentPeers(generationSize: 4096)
        var actions: [BrokerAction] = []
        actions.reserveCapacity(64)
        var poll = PollPair(router, stopSocket)
        var nextStatsLog = BusClock.nowMS() + 30_000
        var lastStats = BrokerStats(services: 0, workers: 0, queued: 0)
        while !routerStop.isFired {
            let now = BusClock.nowMS()
            do {
                let timeout = Int(min(machine.msUntilNextTick(now: now), 200))
                let (readable, stopping) = try poll.poll(timeoutMS: timeout)
                if stopping { break }
                // Reloaded keys take effect before the next message is read: a peer just admitted is known.
                if let admitted, admitted.generation != permissionsSeen {
                    permissionsSeen = admitted.generation
                    machine.updatePermissions(admitted.permissions, into: &actions)
                    perform(&actions, on: router, delimited: delimited)
                }
                if readable {
                    // Drain what is waiting, a bounded batch at a time, before housekeeping. Sends go out in
                    // groups of up to 32 messages: libzmq's I/O thread then wakes once per group, not per message.
                    var budget = 256
                    var batched = 0
                    while budget > 0 {
                        let received = if readsPeers {
                            try router.receive(dontWait: true, userID: &peer)
                        } else {
                            try router.receive(dontWait: true)
                        }
                        guard let frames = received else { break }
                        budget -= 1
                        // Keys reloaded while this batch is read: the peer of this very message may be new.
                        if let admitted, admitted.generation != permissionsSeen {
                            permissionsSeen = admitted.generation
                            machine.updatePermissions(admitted.permissions, into: &actions)
                        }
                        guard frames.count >= 2 else { continue }
                        var body = frames[1...]
                        if body.count >= 2, body[body.startIndex].isEmpty {
                            body = body.dropFirst()
                            delimited.insert(frames[0])
                        }
                        machine.receive(from: frames[0], peer: peer, frames: body, now: BusClock.nowMS(), into: &actions)
                        batched += 1
                        if batched == 32 {
                            perform(&actions, on: router, delimited: delimited)
                            batched = 0
                        }
                    }
                    perform(&actions, on: router, delimited: delimited)
                }
                let afterIO = BusClock.nowMS()
                if machine.msUntilNextTick(now: afterIO) == 0 {
                    machine.tick(now: afterIO, into: &actions)
                    perform(&actions, on: router, delimited: delimited)
                    let stats = machine.stats
                    if stats != lastStats {
                        lastStats = stats
                        state.withLock { $0.stats = stats }
                    }
                    if afterIO >= nextStatsLog {
                        nextStatsLog = afterIO + 30_000
                        logger.debug("broker stats", metadata: ["services": "\(stats.services)", "workers": "\(stats.workers)",
                                                                "queued": "\(stats.queued)"])
                    }
                }
            } catch {
                logger.error("broker socket loop failed", metadata: ["error": "\(error)"])
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
    }

    private func perform(_ actions: inout [BrokerAction], on router: Socket, delimited: RecentPeers) {
        for action in actions {
            switch action {
            case .send(let identity, var frames):
                if delimited.contains(identity) { frames.insert([], at: 0) }
                do {
                    if try !router.send(frames[...], prefix: identity, dontWait: true) {
                        logger.debug("dropped a message for an unreachable or saturated peer")
                    }
                } catch {
                    logger.warning("send failed", metadata: ["error": "\(error)"])
                }
            case .log(let level, let message):
                logger.log(level: level, "\(message)")
            }
        }
        actions.removeAll(keepingCapacity: true)
    }

    private func runProxy(report: (Result<(String, String), BusError>) -> Void) {
        let frontend: Socket
        let backend: Socket
        let control: Socket
        do {
            frontend = try Socket(.xsub, context: context)
            backend = try Socket(.xpub, context: context)
            if case .curve(let pair, _) = configuration.security {
                try frontend.secureAsServer(pair, zapDomain: Self.zapDomain)
                try backend.secureAsServer(pair, zapDomain: Self.zapDomain)
            }
            try frontend.setOption64(ZMQ_MAXMSGSIZE, Int64(configuration.maxMessageBytes))
            try frontend.bind(configuration.eventsIn)
            try backend.bind(configuration.eventsOut)
            control = try proxyStop.makeReceiver()
        } catch let error as BusError {
            report(.failure(error))
            return
        } catch {
            report(.failure(BusError(operation: "event proxy socket", reason: "\(error)")))
            return
        }
        report(.success((frontend.lastEndpoint, backend.lastEndpoint)))
        defer {
            frontend.close()
            backend.close()
            control.close()
        }
        if proxyStop.isFired { return }
        if let admitted = peers.withLock({ $0 }) {
            // CURVE: each event is checked against its publisher's name on the way through.
            CheckedEventProxy(frontend: frontend, backend: backend, control: control, peers: admitted, logger: logger).run()
        } else {
            // Runs until the control socket receives TERMINATE.
            _ = zmq_proxy_steerable(frontend.handle, backend.handle, nil, control.handle)
        }
    }
}

/// Routing identities seen recently, in two generations so memory stays bounded without forgetting a peer that is
/// still talking: an identity is kept while it was seen within the last two generations of `generationSize` inserts.
struct RecentPeers {
    private var current = Set<[UInt8]>()
    private var previous = Set<[UInt8]>()
    let generationSize: Int

    init(generationSize: Int) { self.generationSize = generationSize }

    /// Whether no identity is remembered (the common case: no peer uses a delimiter).
    var isEmpty: Bool { current.isEmpty && previous.isEmpty }

    /// Remembers `identity` as seen now.
    mutating func insert(_ identity: [UInt8]) {
        guard current.insert(identity).inserted, current.count >= generationSize else { return }
        previous = current
        current = []
    }

    /// Whether `identity` was seen within the last two generations.
    func contains(_ identity: [UInt8]) -> Bool {
        !isEmpty && (current.contains(identity) || previous.contains(identity))
    }
}

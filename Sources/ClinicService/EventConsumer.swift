import ClinicBus
import ClinicProto
import ClinicStore
import Foundation
import Logging
import SwiftProtobuf

/// A publisher whose events a service consumes: its name, its topics, and its Replay rpc.
public struct EventSource: Sendable {
    /// Publisher name in event headers, e.g. "reception".
    public var publisher: String
    /// Topic prefix to subscribe to, e.g. "clinic.reception.".
    public var topicPrefix: String
    /// The publisher's `Events/Replay` rpc.
    public var replay: Method<Clinic_Bus_V1_ReplayRequest, Clinic_Bus_V1_ReplayResponse>

    /// Describes a source.
    public init(publisher: String, topicPrefix: String,
                replay: Method<Clinic_Bus_V1_ReplayRequest, Clinic_Bus_V1_ReplayResponse>) {
        self.publisher = publisher
        self.topicPrefix = topicPrefix
        self.replay = replay
    }
}

/// Typed effects of events, applied inside the transaction that also advances the checkpoint (one thread only).
public final class EventHandlers {
    private var handlers: [String: (Connection, Clinic_Bus_V1_EventHeader, [UInt8]) throws -> Void] = [:]

    /// No handlers yet.
    public init() {}

    /// Applies `handler` to every event whose payload type is `Event`.
    public func on<Event: SwiftProtobuf.Message>(_ type: Event.Type,
                                                 _ handler: @escaping (Connection, Clinic_Bus_V1_EventHeader, Event) throws -> Void) {
        handlers[Event.protoMessageName] = { db, header, payload in
            try handler(db, header, try Event(serializedBytes: payload))
        }
    }

    /// Runs the handler for the event's type; events of other types are passed over (still checkpointed).
    func apply(_ header: Clinic_Bus_V1_EventHeader, payload: [UInt8], on db: Connection) throws {
        try handlers[header.type]?(db, header, payload)
    }
}

/// Consumes other services' events exactly once: live over SUB, with catch-up through Replay at start,
/// on any gap, and when idle (a relay may have stamped events it could not publish).
public final class EventConsumer: Sendable {
    /// What to consume and where from.
    public struct Configuration: Sendable {
        /// Consumer name for logs.
        public var name: String
        /// The consuming service's own database URL (checkpoints live in its schema).
        public var databaseURL: String
        /// Broker RPC endpoint (for Replay).
        public var busEndpoint: String
        /// Broker events-out endpoint (subscribers connect there).
        public var eventsEndpoint: String
        /// The publishers to follow.
        public var sources: [EventSource]
        /// How long without a live event before asking each publisher whether anything was missed.
        public var idleReplay: Duration = .seconds(2)
        /// How the SUB socket and the Replay client connect to the broker: plain, or CURVE with this process's keys.
        public var security: BusSecurity = .plain

        /// A configuration with the default idle replay interval.
        public init(name: String, databaseURL: String, busEndpoint: String, eventsEndpoint: String, sources: [EventSource]) {
            self.name = name
            self.databaseURL = databaseURL
            self.busEndpoint = busEndpoint
            self.eventsEndpoint = eventsEndpoint
            self.sources = sources
        }
    }

    private let thread: DedicatedThread

    /// A consumer that starts on `start()`; `makeHandlers` runs on the consumer's thread.
    public init(configuration: Configuration, logger: Logger, makeHandlers: @escaping @Sendable () -> EventHandlers) {
        thread = DedicatedThread(name: "consumer-\(configuration.name)") { thread in
            // A publisher that is down makes every run fail at its first replay: wait longer each time (up to 30 s)
            // so its absence costs a log line every half minute, not a stream of them.
            var failures = 0
            while !thread.shouldStop {
                let started = ContinuousClock.now
                do {
                    try ConsumerLoop(configuration: configuration, handlers: makeHandlers(), logger: logger, thread: thread).run()
                    failures = 0
                } catch {
                    // A run that went well for a minute starts the count again.
                    if ContinuousClock.now - started > .seconds(60) { failures = 0 }
                    failures += 1
                    let pause = min(30, 1 << min(failures - 1, 5))
                    logger.warning("event consumer failed; restarting", metadata: ["consumer": "\(configuration.name)", "error": "\(error)",
                                                                                   "retry_in_seconds": "\(pause)"])
                    thread.pause(.seconds(pause))
                }
            }
        }
    }

    /// Starts consuming on a dedicated thread.
    public func start() { thread.start() }

    /// Stops after the event in hand.
    public func stop() { thread.stop() }
}

/// One connected run of a consumer: a database connection, a subscription and a bus client.
private struct ConsumerLoop {
    let configuration: EventConsumer.Configuration
    let handlers: EventHandlers
    let logger: Logger
    let thread: DedicatedThread

    func run() throws {
        let db = try Connection(url: configuration.databaseURL, logger: logger)
        defer { db.close() }
        // Subscribe before catching up, so nothing published in between is missed.
        let subscription = try EventSubscription(endpoint: configuration.eventsEndpoint,
                                                 topicPrefixes: configuration.sources.map(\.topicPrefix),
                                                 security: configuration.security, logger: logger)
        defer { subscription.close() }
        let client = try BusClient(endpoint: configuration.busEndpoint, security: configuration.security, logger: logger)
        defer { client.close() }

        var catchUp = SubscriberCatchUp()
        for source in configuration.sources {
            catchUp.applied(publisher: source.publisher, seq: try EventCheckpoint.lastApplied(publisher: source.publisher, on: db))
            try replay(source, into: &catchUp, db: db, client: client)
        }
        var lastEvent = ContinuousClock.now
        while !thread.shouldStop {
            guard let first = try subscription.receive(timeout: .milliseconds(200)) else {
                if ContinuousClock.now - lastEvent > configuration.idleReplay {
                    for source in configuration.sources { try replay(source, into: &catchUp, db: db, client: client) }
                    lastEvent = ContinuousClock.now
                }
                continue
            }
            lastEvent = ContinuousClock.now
            // Whatever else has already arrived goes into the same transaction: under load, one commit and one
            // checkpoint write carry many events instead of one each.
            var arrived = [first]
            while arrived.count < Self.batchLimit, let next = try subscription.receive(timeout: .zero) { arrived.append(next) }

            var batch: [(Clinic_Bus_V1_EventHeader, [UInt8])] = []
            var expected = catchUp  // as it will be once the batch so far is applied
            for event in arrived {
                guard let source = followedSource(event.header.publisher) else { continue }
                switch expected.decide(publisher: source.publisher, seq: event.header.seq) {
                case .apply:
                    batch.append((event.header, event.payload))
                    expected.applied(publisher: source.publisher, seq: event.header.seq)
                case .skipDuplicate:
                    continue
                case .replay:
                    try applyLive(&batch, into: &catchUp, db: db, client: client)
                    try replay(source, into: &catchUp, db: db, client: client)
                    expected = catchUp
                }
            }
            try applyLive(&batch, into: &catchUp, db: db, client: client)
        }
    }

    /// The followed source that publishes as `publisher`.
    private func followedSource(_ publisher: String) -> EventSource? { configuration.sources.first { $0.publisher == publisher } }

    /// Most live events applied in one transaction.
    static let batchLimit = 256

    /// Applies live events in one transaction; replays a source whose checkpoint turned out not to match.
    private func applyLive(_ batch: inout [(Clinic_Bus_V1_EventHeader, [UInt8])], into catchUp: inout SubscriberCatchUp,
                           db: Connection, client: BusClient) throws {
        guard !batch.isEmpty else { return }
        defer { batch.removeAll() }
        let outcome = try apply(batch, db: db)
        for (publisher, seq) in outcome.checkpoints { catchUp.applied(publisher: publisher, seq: seq) }
        for publisher in outcome.outOfOrder {
            guard let source = followedSource(publisher) else { continue }
            try replay(source, into: &catchUp, db: db, client: client)
        }
    }

    /// Applies events in order in one transaction with their checkpoints. Returns each publisher's checkpoint
    /// afterwards, and the publishers whose events stopped matching the stored checkpoint (a gap to replay).
    private func apply(_ events: [(header: Clinic_Bus_V1_EventHeader, payload: [UInt8])],
                       db: Connection) throws -> (checkpoints: [String: UInt64], outOfOrder: Set<String>) {
        try db.transaction { db in
            // No wait for the disk flush: the checkpoint commits with the effects, so a commit lost in a server
            // crash loses both, and catch-up replays the events. (A later synchronous commit flushes the WAL up to
            // itself, so anything another party already acted on, like an outbox row the relay published, is
            // durable too.)
            try db.execute("SET LOCAL synchronous_commit = off")
            var checkpoints: [String: UInt64] = [:]
            var moved: Set<String> = []
            var outOfOrder: Set<String> = []
            for (header, payload) in events where !outOfOrder.contains(header.publisher) {
                // The checkpoint row is the truth (another instance of this service may have applied some already).
                let last = try checkpoints[header.publisher] ?? EventCheckpoint.lastApplied(publisher: header.publisher, on: db)
                checkpoints[header.publisher] = last
                guard header.seq == last + 1 else {
                    if header.seq > last { outOfOrder.insert(header.publisher) }
                    continue
                }
                try handlers.apply(header, payload: payload, on: db)
                checkpoints[header.publisher] = header.seq
                moved.insert(header.publisher)
            }
            for publisher in moved {
                try EventCheckpoint.advance(publisher: publisher, to: checkpoints[publisher] ?? 0, on: db)
            }
            return (checkpoints, outOfOrder)
        }
    }

    /// Pulls and applies everything after the last applied seq, page by page. A publisher with no live worker (down,
    /// or not deployed yet) is passed over until the next catch-up: a live event past the checkpoint then waits for
    /// it, so nothing is applied out of order, and the consumer never blocks on a call nobody can answer.
    private func replay(_ source: EventSource, into catchUp: inout SubscriberCatchUp, db: Connection, client: BusClient) throws {
        guard client.serviceAvailableBlocking(source.replay.busService, timeout: .milliseconds(500)) else {
            logger.debug("publisher not on the bus; catch-up later", metadata: ["publisher": "\(source.publisher)"])
            return
        }
        while !thread.shouldStop {
            var request = Clinic_Bus_V1_ReplayRequest()
            request.afterSeq = try EventCheckpoint.lastApplied(publisher: source.publisher, on: db)
            request.limit = 500
            let response = try client.callBlocking(source.replay, request, options: CallOptions(timeout: .seconds(5)))
            _ = try apply(response.events.map { ($0.header, Array($0.payload)) }, db: db)
            // The stored checkpoint, which another instance may have moved further still.
            let last = try EventCheckpoint.lastApplied(publisher: source.publisher, on: db)
            catchUp.applied(publisher: source.publisher, seq: last)
            if response.events.isEmpty || last >= response.latestSeq { return }
        }
    }
}

import ClinicBus
import ClinicStore
import Foundation
import Logging

/// Publishes a service's outbox to the bus: stamps gapless sequence numbers, then sends each event on PUB.
/// One relay per service publishes at a time (a PostgreSQL advisory lock); other instances stand by.
public final class EventRelay: Sendable {
    /// Where the relay reads and what it publishes to.
    public struct Configuration: Sendable {
        /// Publisher name in event headers, e.g. "reception".
        public var publisher: String
        /// The service's database URL (its own role and schema).
        public var databaseURL: String
        /// The broker's events-in endpoint (publishers connect there).
        public var eventsEndpoint: String
        /// Events stamped per transaction.
        public var batchSize = 500
        /// Longest pause between polls when the outbox is idle.
        public var idlePoll: Duration = .milliseconds(50)
        /// Pause after a batch smaller than `batchSize`, so that under load the next stamp (a write with its own commit
        /// and disk flush) carries the events of a few milliseconds, not one event each; it is added to an event's
        /// delivery time.
        public var gather: Duration = .milliseconds(5)
        /// How the PUB socket connects to the broker: plain, or CURVE with this process's keys.
        public var security: BusSecurity = .plain

        /// A configuration with the default batch size and polling.
        public init(publisher: String, databaseURL: String, eventsEndpoint: String) {
            self.publisher = publisher
            self.databaseURL = databaseURL
            self.eventsEndpoint = eventsEndpoint
        }
    }

    private let thread: DedicatedThread

    /// A relay that does nothing until `start()`.
    public init(configuration: Configuration, logger: Logger) {
        thread = DedicatedThread(name: "relay-\(configuration.publisher)") { thread in
            Self.run(configuration, logger: logger, thread: thread)
        }
    }

    /// Starts relaying on a dedicated thread.
    public func start() { thread.start() }

    /// Stops after publishing what is committed (up to `finalBatches` batches; subscribers replay the rest).
    public func stop() { thread.stop() }

    /// Most batches published on the way out.
    static let finalBatches = 20

    private static func run(_ configuration: Configuration, logger: Logger, thread: DedicatedThread) {
        while !thread.shouldStop {
            do {
                let db = try Connection(url: configuration.databaseURL, logger: logger)
                defer { db.close() }
                let schema = try db.query("SELECT current_schema() AS schema").first?.decode("schema", as: String.self) ?? configuration.publisher
                guard try OutboxRelay.tryAcquireRelayLock(schema: schema, on: db) else {
                    // Another instance of this service relays; stand by and try again later.
                    thread.pause(.seconds(1))
                    continue
                }
                let publisher = try EventPublisher(endpoint: configuration.eventsEndpoint, security: configuration.security)
                defer { publisher.close() }
                logger.info("event relay publishing", metadata: ["publisher": "\(configuration.publisher)"])
                var idle: Duration = .milliseconds(1)
                // A reconnect inside Connection drops the session and with it the advisory lock: start over then.
                let session = db.reconnectCount
                // Stamps and publishes the next batch; how many events it held.
                func relayNextBatch() throws -> Int {
                    let batch = try OutboxRelay.stampNextBatch(limit: configuration.batchSize, on: db)
                    for event in batch {
                        try publisher.publish(topic: event.topic, header: event.eventHeader(publisher: configuration.publisher),
                                              payload: event.payload)
                    }
                    return batch.count
                }
                while !thread.shouldStop, db.reconnectCount == session {
                    let relayed = try relayNextBatch()
                    if relayed == 0 {
                        // Back off while idle: a few ms when busy, up to idlePoll when quiet.
                        thread.pause(idle)
                        idle = min(idle * 2, configuration.idlePoll)
                    } else {
                        idle = .milliseconds(1)
                        // A full batch means more are waiting; otherwise let the next few milliseconds' events gather.
                        if relayed < configuration.batchSize { thread.pause(configuration.gather) }
                    }
                }
                // Stopping (the workers have stopped already): publish what is committed before letting go.
                if thread.shouldStop, db.reconnectCount == session {
                    for _ in 0..<Self.finalBatches where try relayNextBatch() == 0 { break }
                }
            } catch {
                logger.warning("event relay failed; retrying", metadata: ["error": "\(error)"])
                thread.pause(.seconds(1))
            }
        }
    }
}

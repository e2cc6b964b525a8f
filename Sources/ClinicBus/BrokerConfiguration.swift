/// Settings of a broker: where it listens, how it heartbeats, and its limits.
public struct BrokerConfiguration: Sendable {
    /// ROUTER endpoint for clients and workers.
    public var endpoint: String
    /// XSUB endpoint event publishers connect to.
    public var eventsIn: String
    /// XPUB endpoint event subscribers connect to.
    public var eventsOut: String
    /// Heartbeat interval shared with workers.
    public var heartbeatInterval: Duration
    /// Missed heartbeats before a worker counts as dead.
    public var liveness: Int
    /// Larger messages are dropped by libzmq before the broker sees them.
    public var maxMessageBytes: Int
    /// How long a request whose header has no deadline may wait for a worker.
    public var defaultDeadline: Duration
    /// Requests queued per service beyond which new ones get RESOURCE_EXHAUSTED.
    public var maxQueuedPerService: Int
    /// Requests one worker may hold at once (1 is plain Majordomo: one at a time). Above 1 the next requests
    /// wait in the worker's socket instead of a broker round trip away, which multiplies throughput.
    public var workerCredit: Int
    /// CURVE (with its keys) or plain; plain is refused at start unless every endpoint is on loopback.
    public var security: BrokerSecurity

    /// Creates a configuration; the defaults are the standard local ports and a 1 s heartbeat.
    public init(endpoint: String = "tcp://127.0.0.1:5555", eventsIn: String = "tcp://127.0.0.1:5556",
                eventsOut: String = "tcp://127.0.0.1:5557", heartbeatInterval: Duration = .seconds(1),
                liveness: Int = 3, maxMessageBytes: Int = 4 << 20, defaultDeadline: Duration = .seconds(5),
                maxQueuedPerService: Int = 10_000, workerCredit: Int = 1, security: BrokerSecurity = .plain) {
        self.endpoint = endpoint
        self.eventsIn = eventsIn
        self.eventsOut = eventsOut
        self.heartbeatInterval = heartbeatInterval
        self.liveness = liveness
        self.maxMessageBytes = maxMessageBytes
        self.defaultDeadline = defaultDeadline
        self.maxQueuedPerService = maxQueuedPerService
        self.workerCredit = workerCredit
        self.security = security
    }

    /// Throws unless the settings may be served: plain mode needs every endpoint on loopback.
    public func checkSecurity() throws(BusError) {
        guard case .plain = security else { return }
        let exposed = [endpoint, eventsIn, eventsOut].filter { !BrokerSecurity.isLoopback($0) }
        guard exposed.isEmpty else {
            throw BusError(operation: "start broker",
                           reason: "plain mode (no CURVE) is allowed only on loopback endpoints (127.0.0.1, ::1, localhost, "
                               + "ipc, inproc), but \(exposed.joined(separator: ", ")) is reachable from other machines: "
                               + "turn CURVE on (--curve-key and --authorized-keys) or bind to loopback")
        }
    }
}

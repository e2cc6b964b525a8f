/// Settings of a worker pool: which broker, which service, how many threads, and heartbeating.
public struct WorkerConfiguration: Sendable {
    /// The broker's ROUTER endpoint.
    public var brokerEndpoint: String
    /// The bus service served, e.g. `clinic.reception.v1`.
    public var service: String
    /// Worker threads, each with its own socket (and usually its own database connection).
    public var threads: Int
    /// Heartbeat interval; must match the broker's.
    public var heartbeatInterval: Duration
    /// Missed heartbeats before the broker counts as gone.
    public var liveness: Int
    /// Larger messages are dropped by libzmq.
    public var maxMessageBytes: Int
    /// How the workers' sockets (and the pool's outbound client) connect: plain, or CURVE with this process's keys.
    public var security: BusSecurity

    /// Creates a configuration.
    public init(brokerEndpoint: String, service: String, threads: Int = 1, heartbeatInterval: Duration = .seconds(1),
                liveness: Int = 3, maxMessageBytes: Int = 4 << 20, security: BusSecurity = .plain) {
        self.brokerEndpoint = brokerEndpoint
        self.service = service
        self.threads = threads
        self.heartbeatInterval = heartbeatInterval
        self.liveness = liveness
        self.maxMessageBytes = maxMessageBytes
        self.security = security
    }
}

import ClinicBus
import Logging

/// A real broker on free loopback ports, with a short heartbeat, for tests.
public enum TestBroker {
    /// Starts a broker on `tcp://127.0.0.1:*` endpoints and returns it with the ports it bound.
    public static func start(heartbeat: Duration = .milliseconds(100), logger: Logger) throws -> (Broker, Broker.Endpoints) {
        let broker = Broker(configuration: BrokerConfiguration(endpoint: "tcp://127.0.0.1:*", eventsIn: "tcp://127.0.0.1:*",
                                                               eventsOut: "tcp://127.0.0.1:*", heartbeatInterval: heartbeat),
                            logger: logger)
        try broker.start()
        guard let endpoints = broker.endpoints else {
            broker.stop()
            throw RPCError.unavailable("the test broker did not bind")
        }
        return (broker, endpoints)
    }
}

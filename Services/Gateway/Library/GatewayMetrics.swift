import Prometheus

/// Request counts and latency histograms per route, in a Prometheus registry.
public final class GatewayMetrics: Sendable {
    /// The registry `/metrics` prints.
    public let registry: PrometheusCollectorRegistry
    private static let buckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
    ]

    /// Metrics kept in `registry` (a fresh one per gateway, so tests do not share counts).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// Counts one request to `route` and records how long it took.
    public func record(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(name: "clinic_gateway_requests_total",
                             labels: [("route", route), ("method", method), ("status", String(status))]).increment()
        registry.makeDurationHistogram(name: "clinic_gateway_request_duration_seconds",
                                       labels: [("route", route), ("method", method)], buckets: Self.buckets).record(duration)
    }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}

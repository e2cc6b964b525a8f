import Prometheus
import Synchronization

/// Request counts and latency histograms per route, in a Prometheus registry.
public final class GatewayMetrics: Sendable {
    /// The registry `/metrics` prints.
    public let registry: PrometheusCollectorRegistry
    static let buckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
    ]

    /// Metrics kept in `registry` (a fresh one per gateway, so tests do not share counts).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// The metrics of one route, made once when the router is built and kept by its handler.
    public func route(_ path: String, method: String) -> RouteMetrics {
        RouteMetrics(registry: registry, route: path, method: method)
    }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}

/// One route's request counter (per status) and latency histogram.
///
/// The registry validates names and labels and takes a lock on every look-up; a request only touches the
/// histogram made up front and a counter per status code, made on its first use.
public final class RouteMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let route: String
    private let method: String
    private let histogram: DurationHistogram
    private let counters = Mutex<[Int: Counter]>([:])

    /// `clinic_gateway_request_duration_seconds`.
    private static var duration: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "clinic", subsystem: "gateway", metricName: "request_duration", unitName: "seconds",
                             helpText: "Time from request to response, per route.")
    }
    /// `clinic_gateway_requests_total`.
    private static var requests: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "clinic", subsystem: "gateway", metricName: "requests", unitName: "total",
                             helpText: "Requests answered, per route and status.")
    }

    init(registry: PrometheusCollectorRegistry, route: String, method: String) {
        self.registry = registry
        self.route = route
        self.method = method
        histogram = registry.makeDurationHistogram(descriptor: Self.duration,
                                                   labels: [("route", route), ("method", method)],
                                                   buckets: GatewayMetrics.buckets)
    }

    /// Counts one request that ended with `status` and records how long it took.
    public func record(status: Int, duration: Duration) {
        let counter = counters.withLock { counters in
            if let counter = counters[status] { return counter }
            let counter = registry.makeCounter(descriptor: Self.requests,
                                               labels: [("route", route), ("method", method), ("status", String(status))])
            counters[status] = counter
            return counter
        }
        counter.increment()
        histogram.record(duration)
    }
}

import CoreMetrics
import Prometheus

/// The Prometheus backend for swift-metrics: one registry that every component records into
/// and `GET /metrics` renders.
struct PrometheusMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let factory: PrometheusMetricsFactory

    init() {
        var factory = PrometheusMetricsFactory(registry: self.registry)
        // Most requests take well under 5 ms: finer buckets at the low end.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .microseconds(2_500_000), .seconds(5), .seconds(10), .seconds(30),
        ]
        self.factory = factory
        self.registry.makeGauge(
            descriptor: MetricNameDescriptor(
                metricName: "statehouse_build", unitName: "info", helpText: "The running version; always 1"),
            labels: [("version", Statehouse.version)]
        ).set(to: 1.0)
    }

    /// Every metric in the Prometheus text format.
    @Sendable func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 << 10)
        self.registry.emit(into: &buffer)
        return buffer
    }
}

import CoreMetrics

/// Per-request metrics through swift-metrics, recorded once per answered request next to the
/// access-log line: a count by route class, method and status, a duration histogram by route
/// class and method, and byte totals by route class.
///
/// Labels stay few: the route class comes from ``Response/route`` (the server's own refusals
/// are `"none"`), and methods outside the usual set count as `"other"`.
struct HTTPMetrics: Sendable {
    private let factory: any MetricsFactory
    /// Open connections.
    let connections: Gauge
    /// Connections turned away with 503 because `max_connections` were open.
    let rejectedConnections: Counter

    init(factory: any MetricsFactory) {
        self.factory = factory
        self.connections = Gauge(label: "statehouse_http_connections", factory: factory)
        self.rejectedConnections = Counter(label: "statehouse_http_connections_rejected_total", factory: factory)
    }

    private static let methods: Set<String> = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "LOCK", "UNLOCK",
    ]

    /// Records one answered request.
    func record(route: String?, method: String, status: HTTPStatus, bytesIn: Int, bytesOut: Int, duration: Duration) {
        let route = route ?? "none"
        let method = HTTPMetrics.methods.contains(method) ? method : "other"
        Counter(
            label: "statehouse_http_requests_total",
            dimensions: [("route", route), ("method", method), ("status", String(status.code))], factory: self.factory
        ).increment()
        Timer(
            label: "statehouse_http_request_duration_seconds", dimensions: [("route", route), ("method", method)],
            factory: self.factory
        ).recordNanoseconds(duration.nanoseconds)
        Counter(label: "statehouse_http_request_bytes_total", dimensions: [("route", route)], factory: self.factory)
            .increment(by: bytesIn)
        Counter(label: "statehouse_http_response_bytes_total", dimensions: [("route", route)], factory: self.factory)
            .increment(by: bytesOut)
    }
}

extension Duration {
    /// The whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = self.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : scaled &+ attoseconds / 1_000_000_000
    }
}

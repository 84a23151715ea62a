import Metrics
import Synchronization

/// Per-request metrics through swift-metrics, recorded once per answered request next to the
/// access-log line: a count by route class, method and status, a duration histogram by route
/// class and method, and byte totals by route class.
///
/// Labels stay few: the route class comes from ``Response/route`` (the server's own refusals
/// are `"none"`), and methods outside the usual set count as `"other"`. Each label combination's
/// handles are made once and kept: asking the factory for them on every request cost more than
/// the rest of a `/healthz` answer.
final class HTTPMetrics: Sendable {
    private let factory: any MetricsFactory
    /// Open connections.
    let connections: Gauge
    /// Open connections waiting for a request, without a thread.
    let idleConnections: Gauge
    /// Connections turned away with 503 because `max_connections` were open, all busy.
    let rejectedConnections: Counter
    /// Connections turned away with 503 because `max_connections_per_address` were open from
    /// their address.
    let rejectedPerAddress: Counter
    /// Idle connections closed to make room for a new one.
    let evictedConnections: Counter
    /// Requests answered 503 because the bodies being received filled the body budget.
    let refusedBodies: Counter
    private let series = Mutex<[SeriesKey: Series]>([:])

    private struct SeriesKey: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    private struct Series {
        let requests: Counter
        let duration: Timer
        let bytesIn: Counter
        let bytesOut: Counter
    }

    init(factory: any MetricsFactory) {
        self.factory = factory
        self.connections = Gauge(label: "statehouse_http_connections", factory: factory)
        self.idleConnections = Gauge(label: "statehouse_http_connections_idle", factory: factory)
        self.rejectedConnections = Counter(
            label: "statehouse_http_connections_rejected_total", dimensions: [("reason", "max_connections")],
            factory: factory)
        self.rejectedPerAddress = Counter(
            label: "statehouse_http_connections_rejected_total", dimensions: [("reason", "per_address")],
            factory: factory)
        self.evictedConnections = Counter(label: "statehouse_http_connections_evicted_total", factory: factory)
        self.refusedBodies = Counter(label: "statehouse_http_body_budget_refusals_total", factory: factory)
    }

    private static let methods: Set<String> = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "LOCK", "UNLOCK",
    ]

    /// Records one answered request.
    func record(route: String?, method: String, status: HTTPStatus, bytesIn: Int, bytesOut: Int, duration: Duration) {
        let key = SeriesKey(
            route: route ?? "none", method: HTTPMetrics.methods.contains(method) ? method : "other",
            status: status.code)
        let series = self.series.withLock { known in
            if let series = known[key] { return series }
            let made = self.makeSeries(key)
            known[key] = made
            return made
        }
        series.requests.increment()
        series.duration.record(duration: duration)
        series.bytesIn.increment(by: bytesIn)
        series.bytesOut.increment(by: bytesOut)
    }

    private func makeSeries(_ key: SeriesKey) -> Series {
        let route = ("route", key.route)
        let method = ("method", key.method)
        return Series(
            requests: Counter(
                label: "statehouse_http_requests_total", dimensions: [route, method, ("status", String(key.status))],
                factory: self.factory),
            duration: Timer(
                label: "statehouse_http_request_duration_seconds", dimensions: [route, method], factory: self.factory),
            bytesIn: Counter(label: "statehouse_http_request_bytes_total", dimensions: [route], factory: self.factory),
            bytesOut: Counter(label: "statehouse_http_response_bytes_total", dimensions: [route], factory: self.factory)
        )
    }
}

import Application
import CoreMetrics

/// What `GET /metrics` serves: the Prometheus text that `exposition` renders, after the lock
/// gauges are brought up to date; with `requireAuth`, only to authenticated users.
public struct MetricsEndpoint: Sendable {
    let factory: any MetricsFactory
    let requireAuth: Bool
    let exposition: @Sendable () -> [UInt8]

    /// Serves what `exposition` renders, recording the API's metrics through `factory`.
    public init(factory: any MetricsFactory, requireAuth: Bool, exposition: @escaping @Sendable () -> [UInt8]) {
        self.factory = factory
        self.requireAuth = requireAuth
        self.exposition = exposition
    }
}

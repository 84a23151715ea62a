import Application
import CoreMetrics

/// The counters the API keeps about what its use cases decided, and the lock gauges it
/// refreshes on every scrape.
struct APIMetrics: Sendable {
    /// LOCK requests that took a lock.
    let lockAcquisitions: Counter
    /// LOCK requests refused because another holder has the lock.
    let lockConflicts: Counter
    /// Force-unlocks, refused writes and store failures, counted as the web UI counts them.
    let outcomes: OutcomeMetrics
    private let locks: Gauge
    private let oldestLockAge: Gauge

    init(factory: any MetricsFactory) {
        self.lockAcquisitions = Counter(label: "statehouse_lock_acquisitions_total", factory: factory)
        self.lockConflicts = Counter(label: "statehouse_lock_conflicts_total", factory: factory)
        self.outcomes = OutcomeMetrics(factory: factory)
        self.locks = Gauge(label: "statehouse_locks", factory: factory)
        self.oldestLockAge = Gauge(label: "statehouse_lock_oldest_age_seconds", factory: factory)
    }

    /// Sets the lock gauges.
    func record(_ summary: SummarizeLocks.Summary) {
        self.locks.record(summary.count)
        self.oldestLockAge.record(summary.oldestAgeSeconds)
    }
}

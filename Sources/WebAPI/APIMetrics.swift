import Application
import CoreMetrics

/// The counters the API keeps about what its use cases decided, and the lock gauges it
/// refreshes on every scrape.
struct APIMetrics: Sendable {
    /// LOCK requests that took a lock.
    let lockAcquisitions: Counter
    /// LOCK requests refused because another holder has the lock.
    let lockConflicts: Counter
    /// Locks removed without their ID (protocol force-unlock or the management API).
    let forceUnlocks: Counter
    private let rejections: [ApplicationError.WriteCheck: Counter]
    private let storeUnavailable: Counter
    private let storeFaults: Counter
    private let storeDiskFull: Counter
    private let locks: Gauge
    private let oldestLockAge: Gauge

    init(factory: any MetricsFactory) {
        self.lockAcquisitions = Counter(label: "statehouse_lock_acquisitions_total", factory: factory)
        self.lockConflicts = Counter(label: "statehouse_lock_conflicts_total", factory: factory)
        self.forceUnlocks = Counter(label: "statehouse_lock_force_unlocks_total", factory: factory)
        var rejections: [ApplicationError.WriteCheck: Counter] = [:]
        for check in ApplicationError.WriteCheck.allCases {
            rejections[check] = Counter(
                label: "statehouse_write_rejections_total", dimensions: [("reason", check.rawValue)], factory: factory)
        }
        self.rejections = rejections
        self.storeUnavailable = Counter(
            label: "statehouse_store_errors_total", dimensions: [("kind", "unavailable")], factory: factory)
        self.storeFaults = Counter(
            label: "statehouse_store_errors_total", dimensions: [("kind", "fault")], factory: factory)
        self.storeDiskFull = Counter(
            label: "statehouse_store_errors_total", dimensions: [("kind", "disk_full")], factory: factory)
        self.locks = Gauge(label: "statehouse_locks", factory: factory)
        self.oldestLockAge = Gauge(label: "statehouse_lock_oldest_age_seconds", factory: factory)
    }

    /// Counts a failed use case: a refused write by the check that refused it, a store that
    /// could not answer, a full disk or a fault.
    func record(_ error: ApplicationError) {
        if let check = error.writeCheck { self.rejections[check]?.increment() }
        switch error.kind {
        case .unavailable: self.storeUnavailable.increment()
        case .diskFull: self.storeDiskFull.increment()
        case .fault: self.storeFaults.increment()
        default: break
        }
    }

    /// Sets the lock gauges.
    func record(_ summary: SummarizeLocks.Summary) {
        self.locks.record(summary.count)
        self.oldestLockAge.record(summary.oldestAgeSeconds)
    }
}

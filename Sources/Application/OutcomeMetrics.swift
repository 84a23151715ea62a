import Metrics

/// What the driving adapters (the API and the web UI) count about their use cases' outcomes, under
/// the same names whichever adapter the request came through: force-unlocks, refused writes by
/// the check that refused them, and store failures.
public struct OutcomeMetrics: Sendable {
    /// Locks removed without their ID (protocol force-unlock, the management API, the web UI).
    public let forceUnlocks: Counter
    private let rejections: [ApplicationError.WriteCheck: Counter]
    private let storeUnavailable: Counter
    private let storeFaults: Counter
    private let storeDiskFull: Counter

    /// The counters, made through `factory`.
    public init(factory: any MetricsFactory) {
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
    }

    /// Counts a failed use case: a refused write by the check that refused it, a store that
    /// could not answer, a full disk or a fault.
    public func record(_ error: ApplicationError) {
        if let check = error.writeCheck { self.rejections[check]?.increment() }
        switch error.kind {
        case .unavailable: self.storeUnavailable.increment()
        case .diskFull: self.storeDiskFull.increment()
        case .fault: self.storeFaults.increment()
        default: break
        }
    }
}

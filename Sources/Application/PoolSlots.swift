import Dispatch
import Metrics
import Synchronization
import SystemSupport

/// The slots of a store adapter's connection pool, with their metrics: connections in use,
/// callers waiting, how often and how long they waited, and how often the wait timed out.
/// Every series carries a `pool` label naming the pool.
public final class PoolSlots: Sendable {
    private let semaphore: DispatchSemaphore
    /// Slots taken and callers waiting; the gauges are set under the same lock, so the last
    /// value written is always the current one.
    private let counts = Mutex<(inUse: Int, waiting: Int)>((0, 0))
    private let inUseGauge: Gauge
    private let waitingGauge: Gauge
    private let waits: Counter
    private let timeouts: Counter
    private let waitTime: Timer

    /// `size` slots named `pool`, reported through `factory`.
    public init(size: Int, pool: String, factory: any MetricsFactory) {
        self.semaphore = DispatchSemaphore(value: size)
        let label = [("pool", pool)]
        Gauge(label: "statehouse_store_pool_size", dimensions: label, factory: factory).record(size)
        self.inUseGauge = Gauge(label: "statehouse_store_pool_in_use", dimensions: label, factory: factory)
        self.waitingGauge = Gauge(label: "statehouse_store_pool_waiting", dimensions: label, factory: factory)
        self.waits = Counter(label: "statehouse_store_pool_waits_total", dimensions: label, factory: factory)
        self.timeouts = Counter(label: "statehouse_store_pool_timeouts_total", dimensions: label, factory: factory)
        self.waitTime = Timer(label: "statehouse_store_pool_wait_seconds", dimensions: label, factory: factory)
    }

    /// Takes a slot, waiting up to `timeout` when none is free; `false` when none freed up.
    public func acquire(timeout: Duration) -> Bool {
        if self.semaphore.wait(timeout: .now()) != .success {
            self.waits.increment()
            self.update { $0.waiting += 1 }
            let start = ContinuousClock.now
            let acquired = self.semaphore.wait(timeout: timeout.fromNow)
            self.update { $0.waiting -= 1 }
            self.waitTime.record(duration: ContinuousClock.now - start)
            guard acquired == .success else {
                self.timeouts.increment()
                return false
            }
        }
        self.update { $0.inUse += 1 }
        return true
    }

    /// Gives a slot back.
    public func release() {
        self.update { $0.inUse -= 1 }
        self.semaphore.signal()
    }

    private func update(_ change: (inout (inUse: Int, waiting: Int)) -> Void) {
        self.counts.withLock { counts in
            change(&counts)
            self.inUseGauge.record(counts.inUse)
            self.waitingGauge.record(counts.waiting)
        }
    }
}

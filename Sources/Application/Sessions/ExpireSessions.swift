import Metrics

/// Removes expired web UI sessions, in batches of `batchSize` (one transaction each) and at most
/// `maxBatches` batches a sweep, so that one sweep never holds the store for long.
public struct ExpireSessions: Sendable {
    /// Sessions removed in one transaction.
    static let batchSize = 1000
    /// Batches a sweep runs at most.
    static let maxBatches = 100

    private let store: any UnitOfWork
    private let clock: any WallClock
    private let expired: Counter

    /// Creates the use case; it counts the sessions it removes through `factory`.
    public init(store: any UnitOfWork, clock: any WallClock, factory: any MetricsFactory = NOOPMetricsHandler.instance)
    {
        self.store = store
        self.clock = clock
        self.expired = SessionMetrics.ended(.expired, factory: factory)
    }

    /// Removes sessions that have expired, until none is left, `shouldContinue` says to stop, or
    /// the sweep's batches are spent; how many it removed.
    public func execute(while shouldContinue: () -> Bool = { true }) throws(ApplicationError) -> Int {
        let now = self.clock.now()
        var removed = 0
        for _ in 0..<Self.maxBatches where shouldContinue() {
            let batch = try ApplicationError.translating {
                try self.store.transaction { try $0.sessions.deleteExpired(at: now, limit: Self.batchSize) }
            }
            removed += batch
            self.expired.increment(by: Int64(batch))
            if batch < Self.batchSize { break }
        }
        return removed
    }
}

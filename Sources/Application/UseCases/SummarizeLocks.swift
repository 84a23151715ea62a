import Domain

/// How many states are locked right now and for how long the oldest lock has been held, over
/// the whole store (for metrics, not filtered by any user's grants).
public struct SummarizeLocks: Sendable {
    /// The summary.
    public struct Summary: Equatable, Sendable {
        /// Live states that are locked.
        public let count: Int
        /// Seconds since the oldest of those locks was granted; 0 when there is none.
        public let oldestAgeSeconds: Double
    }

    private let store: any UnitOfWork
    private let clock: any WallClock

    /// Creates the use case.
    public init(store: any UnitOfWork, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    /// The summary now.
    public func execute() throws(ApplicationError) -> Summary {
        let summary = try ApplicationError.translating { try self.store.read { try $0.catalog.lockSummary() } }
        let now = self.clock.now().microseconds
        return Summary(
            count: summary.count,
            oldestAgeSeconds: summary.oldestAcquiredAt.map { Double(max(0, now - $0.microseconds)) / 1e6 } ?? 0)
    }
}

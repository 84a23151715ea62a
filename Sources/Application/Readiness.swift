import Domain

/// Whether the store answers now: what a load balancer or orchestrator asks before sending
/// traffic (`/readyz`).
public struct CheckReadiness: Sendable {
    private let store: any UnitOfWork

    /// Creates the use case.
    public init(store: any UnitOfWork) {
        self.store = store
    }

    /// Returns when the store answered a trivial query; throws `unavailable` (or `fault`) when
    /// it did not.
    public func execute() throws(ApplicationError) {
        try ApplicationError.translating { try self.store.ping() }
    }
}

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
        let locked = try ApplicationError.translating { try self.store.read { try $0.lockedStates() } }
        let now = self.clock.now().microseconds
        let oldest = locked.compactMap { $0.lock?.acquiredAt.microseconds }.min()
        return Summary(count: locked.count, oldestAgeSeconds: oldest.map { Double(max(0, now - $0)) / 1e6 } ?? 0)
    }
}

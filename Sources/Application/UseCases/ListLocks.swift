import Domain

/// The current locks the caller may see, oldest first, a page at a time.
public struct ListLocks: Sendable {
    /// One page, and where the next one starts (`nil` when this is the last).
    public struct Page: Equatable, Sendable {
        /// The locked states, oldest lock first.
        public let states: [StoredState]
        /// Where the next page starts.
        public let next: LockPosition?
    }

    private let store: any UnitOfWork
    private let clock: any WallClock

    /// Creates the use case.
    public init(store: any UnitOfWork, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    /// Up to `limit` locked states after `after` that `caller` may read, held for at least
    /// `olderThan` microseconds if given.
    public func execute(olderThan: Int64?, after: LockPosition? = nil, limit: Int, as caller: Caller)
        throws(ApplicationError) -> Page
    {
        // Both are positive, so this cannot overflow.
        let takenBy = olderThan.map { Timestamp(microseconds: self.clock.now().microseconds - $0) }
        let (states, next) = try ApplicationError.translating {
            try self.store.snapshot { transaction in
                try readablePage(limit: limit, start: after, position: \.lockPosition) { after, batch in
                    try transaction.catalog.lockedStates(LockQuery(takenBy: takenBy, after: after, limit: batch))
                } where: {
                    caller.principal.may(.read, $0.name)
                }
            }
        }
        return Page(states: states, next: next)
    }
}

extension StoredState {
    /// Where this locked state is in the oldest-first list of locks.
    var lockPosition: LockPosition {
        LockPosition(acquiredAt: self.lock?.acquiredAt ?? Timestamp(microseconds: .min), id: self.id)
    }
}

import Domain

/// Every current lock the caller may see, oldest first.
public struct ListLocks: Sendable {
    private let store: any UnitOfWork
    private let clock: any WallClock

    /// Creates the use case.
    public init(store: any UnitOfWork, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    /// The locked states `caller` may read, held for at least `olderThan` microseconds if given.
    public func execute(olderThan: Int64?, as caller: Caller) throws(ApplicationError) -> [StoredState] {
        let locked = try ApplicationError.translating { try self.store.read { try $0.catalog.lockedStates() } }
        let now = self.clock.now()
        return locked.filter { state in
            guard let lock = state.lock, caller.principal.may(.read, state.name) else { return false }
            return olderThan.map { now.microseconds - lock.acquiredAt.microseconds >= $0 } ?? true
        }
    }
}

import Domain

/// Clears a lock from the management API (an admin's force-unlock), optionally only if it is
/// still the lock the admin saw.
public struct ForceUnlock: Sendable {
    private let store: any UnitOfWork
    private let clock: any WallClock

    /// Creates the use case.
    public init(store: any UnitOfWork, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    /// Releases the lock on `name`; returns it, or `nil` when there was none. With
    /// `expectedID`, a different lock is left alone (`locked`).
    public func execute(_ name: StateName, expectedID: String?, reason: String?, as caller: Caller)
        throws(ApplicationError) -> StoredLock?
    {
        try caller.principal.require(.admin, on: name)
        return try ApplicationError.translating {
            try self.store.releasingTransaction { transaction in
                guard let state = try transaction.states.stateForUpdate(named: name) else {
                    throw ApplicationError(.notFound, "no state named \(name)")
                }
                guard let lock = state.lock else { return nil }
                if let expectedID, expectedID != lock.info.id {
                    throw ApplicationError(
                        .locked(lock), "state \(name) is locked by \(lock.info.id), not \(expectedID)")
                }
                try transaction.states.setLock(nil, on: state)
                try transaction.audit.append(
                    caller.event(
                        .forceUnlock, on: name, at: self.clock.now(), lockID: lock.info.id, reason: reason,
                        detail: "held by \(lock.info.who) for \(lock.info.operation) since \(lock.acquiredAt)"))
                return lock
            }
        }
    }
}

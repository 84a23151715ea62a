import Domain

/// S3 DELETE of a state's `.tflock` object, which is how Terraform and OpenTofu unlock over S3,
/// `force-unlock` included: it names no lock ID, so it removes whichever lock the state has.
public struct ReleaseLockFile: Sendable {
    /// How a release went.
    public enum Outcome: Equatable, Sendable {
        /// This lock was removed.
        case released(StoredLock)
        /// Nothing was locked (S3 answers a DELETE of a missing object with success).
        case notLocked
    }

    private let store: any UnitOfWork
    private let clock: any WallClock

    /// Creates the use case.
    public init(store: any UnitOfWork, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    /// Removes the lock on `name`, audited as an `unlock` when the caller's principal took it and
    /// as a `forceUnlock` naming the holder otherwise.
    public func execute(_ name: StateName, as caller: Caller) throws(ApplicationError) -> Outcome {
        try caller.principal.require(.write, on: name)
        return try ApplicationError.translating {
            try self.store.releasingTransaction { transaction in
                guard let state = try transaction.states.stateForUpdate(named: name), let lock = state.lock else {
                    return .notLocked
                }
                try transaction.states.setLock(nil, on: state)
                let forced = lock.acquiredBy != caller.principal.name
                try transaction.audit.append(
                    caller.event(
                        forced ? .forceUnlock : .unlock, on: name, at: self.clock.now(), lockID: lock.info.id,
                        detail: forced ? "held by \(lock.info.who) for \(lock.info.operation)" : nil))
                return .released(lock)
            }
        }
    }
}

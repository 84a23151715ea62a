import Domain

/// DELETE: soft-deletes a state. It disappears for clients; its versions are kept.
public struct DeleteState: Sendable {
    private let store: any UnitOfWork
    private let clock: any WallClock

    /// Creates the use case.
    public init(store: any UnitOfWork, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    /// Deletes `name`; refused while it is locked.
    public func execute(_ name: StateName, as caller: Caller) throws(ApplicationError) {
        try caller.principal.require(.admin, toChange: name)
        try ApplicationError.translating {
            try self.store.transaction { transaction in
                guard let state = try transaction.states.stateForUpdate(named: name) else {
                    throw ApplicationError(.notFound, "no state named \(name)")
                }
                if let lock = state.lock {
                    throw ApplicationError(.locked(lock), "state \(name) is locked by \(lock.info.id)")
                }
                let now = self.clock.now()
                try transaction.states.markDeleted(state, at: now, by: caller.principal.name)
                try transaction.audit.append(caller.event(.delete, on: name, at: now, version: state.latest?.number))
            }
        }
    }
}

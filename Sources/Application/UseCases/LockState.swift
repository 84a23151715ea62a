import Domain

/// LOCK: takes a state's lock for a client, creating the state if it does not exist yet.
public struct LockState: Sendable {
    private let store: any UnitOfWork
    private let clock: any WallClock

    /// Creates the use case.
    public init(store: any UnitOfWork, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    /// Takes the lock described by the LOCK `body` (Terraform's LockInfo JSON).
    public func execute(_ name: StateName, body: [UInt8], as caller: Caller) throws(ApplicationError)
        -> LockRules.Acquisition
    {
        try caller.principal.require(.write, toChange: name)
        guard !body.isEmpty else {
            throw ApplicationError(.invalidInput, "LOCK needs a LockInfo JSON body")
        }
        let requested: LockInfo
        do {
            requested = try LockInfo(json: body)
        } catch {
            throw ApplicationError(.invalidInput, error.description)
        }
        return try ApplicationError.translating {
            try self.store.transaction { transaction in
                let now = self.clock.now()
                let state = try transaction.states.createStateForUpdate(named: name, at: now)
                switch LockRules.acquire(holder: state.lock?.info, requested: requested) {
                case .success(.acquired):
                    try transaction.states.setLock(
                        StoredLock(info: requested, acquiredAt: now, acquiredBy: caller.principal.name), on: state)
                    try transaction.audit.append(
                        caller.event(
                            .lock, on: name, at: now, lockID: requested.id,
                            detail: "\(requested.operation) by \(requested.who)"))
                    return .acquired
                case .success(.alreadyHeld):
                    return .alreadyHeld
                case .failure(let conflict):
                    throw ApplicationError.locked(by: state.lock, "state \(name) is locked by \(conflict.holder.id)")
                }
            }
        }
    }
}

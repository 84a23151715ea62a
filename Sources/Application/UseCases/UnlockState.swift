import Domain

/// UNLOCK: releases a state's lock, by ID or (empty body) by force.
public struct UnlockState: Sendable {
    private let store: any UnitOfWork
    private let clock: any WallClock

    /// Creates the use case.
    public init(store: any UnitOfWork, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    /// Releases the lock as the UNLOCK `body` asks: empty forces, otherwise its `ID` must match.
    public func execute(_ name: StateName, body: [UInt8], as caller: Caller) throws(ApplicationError)
        -> LockRules.Release
    {
        try caller.principal.require(.write, on: name)
        let request: UnlockRequest
        do {
            request = try UnlockRequest(body: body)
        } catch {
            throw ApplicationError(.invalidInput, error.description)
        }
        return try ApplicationError.translating {
            try self.store.releasingTransaction { transaction in
                guard let state = try transaction.states.stateForUpdate(named: name) else { return .notLocked }
                switch LockRules.release(holder: state.lock?.info, request: request) {
                case .success(.notLocked):
                    return .notLocked
                case .success(let released):
                    try transaction.states.setLock(nil, on: state)
                    if case .released(let holder, let forced) = released {
                        try transaction.audit.append(
                            caller.event(
                                forced ? .forceUnlock : .unlock, on: name, at: self.clock.now(), lockID: holder.id,
                                detail: forced ? "held by \(holder.who) for \(holder.operation)" : nil))
                    }
                    return released
                case .failure(let conflict):
                    throw ApplicationError.locked(by: state.lock, "state \(name) is locked by \(conflict.holder.id)")
                }
            }
        }
    }
}

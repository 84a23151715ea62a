import Domain

/// UNLOCK: releases a state's lock, by ID or (empty body) by force.
public struct UnlockState: Sendable {
    private let store: any UnitOfWork

    /// Creates the use case.
    public init(store: any UnitOfWork) {
        self.store = store
    }

    /// Releases the lock as the UNLOCK `body` asks: empty forces, otherwise its `ID` must match.
    public func execute(_ name: StateName, body: [UInt8], as principal: Principal) throws(ApplicationError)
        -> LockRules.Release
    {
        try principal.require(.write, on: name)
        let request: UnlockRequest
        do {
            request = try UnlockRequest(body: body)
        } catch {
            throw ApplicationError(.invalidInput, error.description)
        }
        return try ApplicationError.translating {
            try self.store.transaction { repository in
                guard let state = try repository.stateForUpdate(named: name) else { return .notLocked }
                switch LockRules.release(holder: state.lock?.info, request: request) {
                case .success(.notLocked):
                    return .notLocked
                case .success(let released):
                    try repository.setLock(nil, on: state)
                    return released
                case .failure(let conflict):
                    throw ApplicationError(.locked(conflict.holder), "state \(name) is locked by \(conflict.holder.id)")
                }
            }
        }
    }
}

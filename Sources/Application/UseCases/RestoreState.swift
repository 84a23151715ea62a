import Domain

/// Makes a soft-deleted state live again.
public struct RestoreState: Sendable {
    private let store: any UnitOfWork
    private let clock: any WallClock

    /// Creates the use case.
    public init(store: any UnitOfWork, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    /// Restores the deleted state `name` keyed `id`, or the most recently deleted one.
    public func execute(_ name: StateName, id: Int64?, as caller: Caller) throws(ApplicationError) -> StateDetails {
        try caller.principal.require(.admin, toChange: name)
        return try ApplicationError.translating {
            try self.store.transaction { transaction in
                if try transaction.catalog.state(named: name) != nil {
                    throw ApplicationError(
                        .conflict, "a live state named \(name) exists; delete or rename it before restoring")
                }
                let deleted = try transaction.catalog.deletedStates(named: name)
                guard let entry = id == nil ? deleted.first : deleted.first(where: { $0.state.id == id }) else {
                    throw ApplicationError(
                        .notFound, "no deleted state named \(name)\(id.map { " with id \($0)" } ?? "")")
                }
                guard try transaction.states.restoreState(stateID: entry.state.id) else {
                    throw ApplicationError(.conflict, "state \(name) was restored by someone else meanwhile")
                }
                try transaction.audit.append(
                    caller.event(
                        .restore, on: name, at: self.clock.now(), version: entry.state.latest?.number,
                        detail: entry.deletedBy.map { "deleted by \($0)" }))
                return StateDetails(
                    entry: StateEntry(state: entry.state, deletedAt: nil, deletedBy: nil),
                    versionCount: try transaction.catalog.versionCount(stateID: entry.state.id))
            }
        }
    }
}

import Domain

/// One state's details.
public struct ShowState: Sendable {
    private let store: any UnitOfWork

    /// Creates the use case.
    public init(store: any UnitOfWork) {
        self.store = store
    }

    /// The live state `name`.
    public func execute(_ name: StateName, as caller: Caller) throws(ApplicationError) -> StateDetails {
        try caller.principal.require(.read, on: name)
        let found = try ApplicationError.translating {
            try self.store.snapshot { transaction -> StateDetails? in
                guard let state = try transaction.catalog.state(named: name) else { return nil }
                return StateDetails(
                    entry: StateEntry(state: state, deletedAt: nil, deletedBy: nil),
                    versionCount: try transaction.catalog.versionCount(stateID: state.id))
            }
        }
        guard let found else { throw ApplicationError(.notFound, "no state named \(name)") }
        return found
    }
}

import Domain

/// Lists the states a caller may read, a page at a time.
public struct ListStates: Sendable {
    /// One page, and where the next one starts (`nil` when this is the last).
    public struct Page: Equatable, Sendable {
        /// The states, ordered by name.
        public let entries: [StateEntry]
        /// Where the next page starts.
        public let next: StatePosition?
    }

    private let store: any UnitOfWork

    /// Creates the use case.
    public init(store: any UnitOfWork) {
        self.store = store
    }

    /// Up to `query.limit` states matching `query` that `caller` may read.
    public func execute(_ query: StateQuery, as caller: Caller) throws(ApplicationError) -> Page {
        if let text = query.contains, text.utf8.count > StateQuery.maxContainsBytes {
            throw ApplicationError(.invalidInput, "the search text is longer than \(StateQuery.maxContainsBytes) bytes")
        }
        let (entries, next) = try ApplicationError.translating {
            try self.store.snapshot { transaction in
                try readablePage(limit: query.limit, start: query.after, position: \.position) { after, batch in
                    var page = query
                    page.after = after
                    page.limit = batch
                    return try transaction.catalog.states(page)
                } where: {
                    caller.principal.may(.read, $0.state.name)
                }
            }
        }
        return Page(entries: entries, next: next)
    }
}

extension StateEntry {
    /// Where this entry is in the name-ordered list.
    var position: StatePosition { StatePosition(name: self.state.name.rawValue, id: self.state.id) }
}

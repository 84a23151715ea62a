import Domain

/// A state's versions, newest first, a page at a time.
public struct ListVersions: Sendable {
    /// One page.
    public struct Page: Equatable, Sendable {
        /// The versions, newest first.
        public let versions: [VersionRecord]
        /// The state's current version number.
        public let current: Int64?
        /// Pass as `before` for the next page; `nil` when this is the last.
        public let nextBefore: Int64?
    }

    private let store: any UnitOfWork

    /// Creates the use case.
    public init(store: any UnitOfWork) {
        self.store = store
    }

    /// Up to `limit` versions of `name` numbered below `before`.
    public func execute(_ name: StateName, before: Int64?, limit: Int, as caller: Caller) throws(ApplicationError)
        -> Page
    {
        try caller.principal.require(.read, on: name)
        let found = try ApplicationError.translating {
            try self.store.snapshot { transaction -> Page? in
                guard let state = try transaction.catalog.state(named: name) else { return nil }
                let versions = try transaction.catalog.versions(stateID: state.id, before: before, limit: limit)
                let more = versions.count == limit && (versions.last?.number ?? 0) > 1
                return Page(
                    versions: versions, current: state.latest?.number, nextBefore: more ? versions.last?.number : nil)
            }
        }
        guard let found else { throw ApplicationError(.notFound, "no state named \(name)") }
        return found
    }
}

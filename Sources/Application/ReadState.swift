import Domain

/// GET: the latest version of a state, as stored.
public struct ReadState: Sendable {
    /// What a read returns: the version's metadata and its gzip bytes.
    public struct Content: Sendable {
        /// The version.
        public let version: VersionRecord
        /// The body, gzip-compressed as stored.
        public let gzip: [UInt8]
    }

    private let store: any UnitOfWork

    /// Creates the use case.
    public init(store: any UnitOfWork) {
        self.store = store
    }

    /// The latest version of `name`; `notFound` when there is none (never an empty state).
    public func execute(_ name: StateName, as principal: Principal) throws(ApplicationError) -> Content {
        try principal.require(.read, on: name)
        let found = try ApplicationError.translating {
            try self.store.transaction { repository in try repository.currentContent(named: name) }
        }
        guard let (version, gzip) = found else {
            throw ApplicationError(.notFound, "no state named \(name)")
        }
        return Content(version: version, gzip: gzip)
    }
}

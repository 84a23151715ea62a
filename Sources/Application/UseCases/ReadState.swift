import Domain

/// GET: the latest version of a state, as stored.
public struct ReadState: Sendable {
    /// The form the client accepts the body in.
    public enum Encoding: Sendable {
        /// The gzip member as stored.
        case gzip
        /// The bytes exactly as written.
        case identity
    }

    /// What a read returns: the version's metadata and its body in the requested encoding.
    public struct Content: Sendable {
        /// The version.
        public let version: VersionRecord
        /// The body, gzip-compressed as stored or uncompressed, as asked.
        public let body: [UInt8]
    }

    /// Uncompressed bodies larger than this that are not in the cache are inflated under a heavy
    /// work permit.
    public static let heavyInflationBytes: Int64 = 1 << 20

    private let store: any UnitOfWork
    private let cache: ContentCache
    private let heavyWork: HeavyWork

    /// Creates the use case.
    public init(store: any UnitOfWork, cache: ContentCache, heavyWork: HeavyWork) {
        self.store = store
        self.cache = cache
        self.heavyWork = heavyWork
    }

    /// The latest version of `name`; `notFound` when there is none (never an empty state).
    public func execute(_ name: StateName, as caller: Caller, encoding: Encoding) throws(ApplicationError)
        -> Content
    {
        try caller.principal.require(.read, on: name)
        let found = try ApplicationError.translating {
            try self.store.read { transaction in try transaction.states.currentVersion(named: name) }
        }
        guard let (stateID, version) = found else {
            throw ApplicationError(.notFound, "no state named \(name)")
        }
        return try self.content(of: version, stateID: stateID, name: name, encoding: encoding)
    }

    /// Version `number` of `name`, current or not; `gone` when its bytes were purged.
    public func execute(_ name: StateName, version number: Int64, as caller: Caller, encoding: Encoding)
        throws(ApplicationError) -> Content
    {
        try caller.principal.require(.read, on: name)
        let found = try ApplicationError.translating {
            try self.store.snapshot { transaction -> (Int64, VersionRecord?)? in
                guard let state = try transaction.catalog.state(named: name) else { return nil }
                return (state.id, try transaction.catalog.version(stateID: state.id, number: number))
            }
        }
        guard let (stateID, version) = found else { throw ApplicationError(.notFound, "no state named \(name)") }
        guard let version else { throw ApplicationError(.notFound, "state \(name) has no version \(number)") }
        if let purge = version.purge {
            throw ApplicationError(
                .gone, "version \(number) of \(name) was purged by \(purge.by) at \(purge.at)")
        }
        return try self.content(of: version, stateID: stateID, name: name, encoding: encoding)
    }

    /// The bytes of `version`, from the cache or the store, checked against its digests.
    private func content(of version: VersionRecord, stateID: Int64, name: StateName, encoding: Encoding)
        throws(ApplicationError) -> Content
    {
        if encoding == .identity, let identity = self.cache.identity(version.sha256) {
            return Content(version: version, body: identity)
        }
        var permit: HeavyWork.Permit? = nil
        if encoding == .identity && version.size > Self.heavyInflationBytes {
            // Every client inflating a large version holds a copy of all of it.
            guard let taken = self.heavyWork.permit(for: .download) else {
                throw ApplicationError(.busy, HeavyWork.busyMessage)
            }
            permit = taken
        }
        defer { permit?.release() }
        let gzip: [UInt8]
        if let cached = self.cache.gzip(version.sha256) {
            gzip = cached
        } else {
            // Versions never change, so this reads the same bytes even if a newer version
            // has been written since the query above.
            let fetched = try ApplicationError.translating {
                try self.store.read { transaction in
                    try transaction.states.content(of: name, stateID: stateID, version: version.number)
                }
            }
            guard let fetched else {
                throw ApplicationError(
                    .gone, "the content of version \(version.number) of \(name) is no longer stored (purged or pruned)")
            }
            gzip = fetched
            self.cache.store(version.sha256, gzip: gzip)
        }
        guard encoding == .identity else { return Content(version: version, body: gzip) }
        let identity: [UInt8]
        do {
            identity = try StoredBody.inflate(gzip, version, of: name)
        } catch {
            self.cache.remove(version.sha256)
            throw error
        }
        self.cache.store(version.sha256, gzip: gzip, identity: identity)
        return Content(version: version, body: identity)
    }
}

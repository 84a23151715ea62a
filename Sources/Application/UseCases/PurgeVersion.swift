import Domain

/// Removes the bytes of one version (a leaked secret), keeping its record as a tombstone.
public struct PurgeVersion: Sendable {
    private let store: any UnitOfWork
    private let clock: any WallClock
    private let cache: ContentCache

    /// Creates the use case.
    public init(store: any UnitOfWork, clock: any WallClock, cache: ContentCache) {
        self.store = store
        self.clock = clock
        self.cache = cache
    }

    /// Purges version `number` of `name`; never the current one. Returns the tombstone.
    public func execute(_ name: StateName, version number: Int64, reason: String?, as caller: Caller)
        throws(ApplicationError) -> VersionRecord
    {
        try caller.principal.require(.admin, toChange: name)
        let record = try ApplicationError.translating {
            try self.store.transaction { transaction in
                guard let state = try transaction.states.stateForUpdate(named: name) else {
                    throw ApplicationError(.notFound, "no state named \(name)")
                }
                guard let record = try transaction.catalog.version(stateID: state.id, number: number) else {
                    throw ApplicationError(.notFound, "state \(name) has no version \(number)")
                }
                if record.purge != nil { return record }
                guard number != state.latest?.number else {
                    throw ApplicationError(
                        .conflict,
                        "version \(number) is the current version of \(name); write or roll back to another first")
                }
                let purge = Purge(at: self.clock.now(), by: caller.principal.name, reason: reason)
                try transaction.states.purgeVersion(stateID: state.id, number: number, purge)
                try transaction.audit.append(
                    caller.event(.purgeVersion, on: name, at: purge.at, version: number, reason: reason))
                return record.purged(purge)
            }
        }
        self.cache.remove(record.sha256)
        return record
    }
}

import Domain

/// S3 GET or HEAD of a state's `.tflock` object: the state's lock as its holder sent it, whether
/// it was taken through S3 or with the http backend's LOCK.
public struct ReadLock: Sendable {
    private let store: any UnitOfWork

    /// Creates the use case.
    public init(store: any UnitOfWork) {
        self.store = store
    }

    /// The lock on `name` as stored (`info.json` holds the holder's LockInfo byte for byte), or
    /// `nil` when the state is not locked or does not exist. Takes no row lock.
    public func execute(_ name: StateName, as caller: Caller) throws(ApplicationError) -> StoredLock? {
        try caller.principal.require(.read, on: name)
        return try ApplicationError.translating {
            try self.store.read { transaction in try transaction.catalog.state(named: name)?.lock }
        }
    }
}

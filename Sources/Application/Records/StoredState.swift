import Domain

/// A live state as the store holds it: its lock and its latest version, if any.
public struct StoredState: Equatable, Sendable {
    /// The store's key for this state (a deleted and re-created name gets a new one).
    public let id: Int64
    /// The name.
    public let name: StateName
    /// When the state was first locked or written.
    public let createdAt: Timestamp
    /// The current lock.
    public let lock: StoredLock?
    /// The newest version, `nil` when the state has only been locked so far.
    public let latest: VersionRecord?

    /// Creates a record.
    public init(id: Int64, name: StateName, createdAt: Timestamp, lock: StoredLock?, latest: VersionRecord?) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.lock = lock
        self.latest = latest
    }

    /// The number the next version of this state gets: one more than the latest, 1 for the first.
    public var nextVersionNumber: Int64 { (self.latest?.number ?? 0) + 1 }
}

import Domain

/// Which locks to list: oldest first (by when they were taken, then the state's key), after
/// `after`.
public struct LockQuery: Equatable, Sendable {
    /// Only locks taken at this time or earlier.
    public var takenBy: Timestamp?
    /// Only locks after this position (the page before ended there).
    public var after: LockPosition?
    /// At most this many.
    public var limit: Int

    /// Creates a query.
    public init(takenBy: Timestamp? = nil, after: LockPosition? = nil, limit: Int) {
        self.takenBy = takenBy
        self.after = after
        self.limit = limit
    }
}

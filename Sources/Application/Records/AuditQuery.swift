import Domain

/// Which audit events to read: oldest first, after `after`.
public struct AuditQuery: Equatable, Sendable {
    /// Only events on this state.
    public var state: StateName?
    /// Only events at or after this time.
    public var since: Timestamp?
    /// Only events with a greater ID (the page before ended there).
    public var after: Int64?
    /// At most this many.
    public var limit: Int

    /// Creates a query.
    public init(state: StateName? = nil, since: Timestamp? = nil, after: Int64? = nil, limit: Int) {
        self.state = state
        self.since = since
        self.after = after
        self.limit = limit
    }
}

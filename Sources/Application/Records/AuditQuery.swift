import Domain

/// Which audit events to read: oldest first, after `after`.
public struct AuditQuery: Equatable, Sendable {
    /// Only events on this state.
    public var state: StateName?
    /// Only events caused by this user (exactly this name).
    public var user: String?
    /// Only events of this kind.
    public var action: AuditEvent.Action?
    /// Only events at or after this time.
    public var since: Timestamp?
    /// Only events past this ID in the query's order (the page before ended there): a greater ID,
    /// or a smaller one when `newestFirst`.
    public var after: Int64?
    /// The newest events first (the web UI's audit page); the oldest first otherwise.
    public var newestFirst = false
    /// At most this many.
    public var limit: Int

    /// Creates a query.
    public init(
        state: StateName? = nil, user: String? = nil, action: AuditEvent.Action? = nil, since: Timestamp? = nil,
        after: Int64? = nil, limit: Int
    ) {
        self.state = state
        self.user = user
        self.action = action
        self.since = since
        self.after = after
        self.limit = limit
    }
}

extension AuditQuery {
    /// The longest `user` accepted, in bytes.
    public static let maxUserBytes = 1024
}

/// One line of the audit trail.
public struct AuditEvent: Codable, Equatable, Sendable {
    /// The key, in commit order; pass the last one as `after` for the next page.
    public var id: Int64
    /// When.
    public var at: String
    /// `write`, `lock`, `unlock`, `force-unlock`, `delete`, `restore`, `rollback`,
    /// `purge-version`, `prune-versions`, `expire-state`, `create-token`, `revoke-token` or `rekey`.
    public var action: String
    /// The state's name; `null` for an event about no state (an API token created or revoked, a rekey).
    @Nullable public var state: String?
    /// The version written, rolled back to or purged, when there is one.
    @Nullable public var version: Int64?
    /// The authenticated user, or `statehouse` for background work.
    public var user: String
    /// The client's address.
    @Nullable public var address: String?
    /// The request's id, as in the access log.
    @Nullable public var requestID: String?
    /// The lock involved.
    @Nullable public var lockID: String?
    /// Why, as the user said.
    @Nullable public var reason: String?
    /// More about it, written by Statehouse.
    @Nullable public var detail: String?

    private enum CodingKeys: String, CodingKey {
        case id, at, action, state, version, user, address, reason, detail
        case requestID = "request_id"
        case lockID = "lock_id"
    }

    /// Creates an event.
    public init(
        id: Int64, at: String, action: String, state: String?, version: Int64?, user: String, address: String?,
        requestID: String?, lockID: String?, reason: String?, detail: String?
    ) {
        self.id = id
        self.at = at
        self.action = action
        self.state = state
        self.version = version
        self.user = user
        self.address = address
        self.requestID = requestID
        self.lockID = lockID
        self.reason = reason
        self.detail = detail
    }
}

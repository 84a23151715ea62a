import Domain

/// One line of the audit trail, written in the same transaction as the change it records.
public struct AuditEvent: Equatable, Sendable {
    /// What was done.
    public enum Action: String, CaseIterable, Sendable {
        /// A new version stored by a client.
        case write
        /// A lock taken.
        case lock
        /// A lock released by its holder.
        case unlock
        /// A lock released by someone else (empty UNLOCK body or the management API).
        case forceUnlock = "force-unlock"
        /// A state soft-deleted.
        case delete
        /// A soft-deleted state made live again.
        case restore
        /// An older version's content written as a new version.
        case rollback
        /// One version's bytes removed, its record kept.
        case purgeVersion = "purge-version"
        /// Old versions removed by the retention policy.
        case pruneVersions = "prune-versions"
        /// A soft-deleted state removed for good after its retention period.
        case expireState = "expire-state"
        /// An API token created (no state; the detail names the token and its grants).
        case createToken = "create-token"
        /// An API token revoked (no state; the detail names the token).
        case revokeToken = "revoke-token"
        /// Stored versions re-encrypted with the sealing key (no state; the detail counts them
        /// by the key they had).
        case rekey
    }

    /// The store's key, in commit order (0 before it is stored).
    public let id: Int64
    /// When.
    public let at: Timestamp
    /// What.
    public let action: Action
    /// Which state; `nil` for an event about no state (an API token created or revoked).
    public let state: StateName?
    /// The version written, rolled back to, purged … when there is one.
    public let version: Int64?
    /// Who: the authenticated user, or `statehouse` for background work.
    public let user: String
    /// The client's address.
    public let address: String?
    /// The request's ID, as in the access log.
    public let requestID: String?
    /// The lock involved.
    public let lockID: String?
    /// Why, as the user said.
    public let reason: String?
    /// More about it, written by Statehouse (a lock's holder, versions pruned …).
    public let detail: String?

    /// Creates an event.
    public init(
        id: Int64 = 0, at: Timestamp, action: Action, state: StateName?, version: Int64? = nil, user: String,
        address: String? = nil, requestID: String? = nil, lockID: String? = nil, reason: String? = nil,
        detail: String? = nil
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

extension AuditEvent {
    /// The same event with another key.
    public func withID(_ id: Int64) -> AuditEvent {
        AuditEvent(
            id: id, at: self.at, action: self.action, state: self.state, version: self.version, user: self.user,
            address: self.address, requestID: self.requestID, lockID: self.lockID, reason: self.reason,
            detail: self.detail)
    }
}

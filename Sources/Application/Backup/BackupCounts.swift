/// How much a backup holds.
public struct BackupCounts: Equatable, Sendable {
    /// States, live and deleted.
    public var states = 0
    /// Of those, deleted ones.
    public var deletedStates = 0
    /// Versions, purged ones included.
    public var versions = 0
    /// Of those, purged ones (a record without bytes).
    public var purgedVersions = 0
    /// Bytes of every version body.
    public var bytes: Int64 = 0
    /// Audit events.
    public var auditEvents = 0
    /// Unrevoked API tokens.
    public var tokens = 0

    /// Nothing yet.
    public init() {}

    init(
        states: Int, deletedStates: Int, versions: Int, purgedVersions: Int, bytes: Int64, auditEvents: Int,
        tokens: Int
    ) {
        self.states = states
        self.deletedStates = deletedStates
        self.versions = versions
        self.purgedVersions = purgedVersions
        self.bytes = bytes
        self.auditEvents = auditEvents
        self.tokens = tokens
    }
}

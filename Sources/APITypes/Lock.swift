/// A held lock: what the holder sent (Terraform's LockInfo fields), who took it, when, and how
/// long ago.
public struct Lock: Codable, Equatable, Sendable {
    /// The lock ID the holder sends back as `?ID=` and in its UNLOCK body.
    public var id: String
    /// What the holder is doing, such as `OperationTypeApply`.
    public var operation: String
    /// Who holds it, as the client sent it (`user@host`).
    public var who: String
    /// The client's free-form `Info`.
    public var info: String
    /// The client's version.
    public var version: String
    /// When the client says it took the lock, as sent.
    public var created: String
    /// The state's path as the client sees it.
    public var path: String
    /// RFC 3339, UTC, microseconds.
    public var acquiredAt: String
    /// The authenticated user who took it.
    public var acquiredBy: String
    /// Whole seconds since it was taken.
    public var ageSeconds: Int64

    private enum CodingKeys: String, CodingKey {
        case id, operation, who, info, version, created, path
        case acquiredAt = "acquired_at"
        case acquiredBy = "acquired_by"
        case ageSeconds = "age_seconds"
    }

    /// Creates a lock.
    public init(
        id: String, operation: String, who: String, info: String, version: String, created: String, path: String,
        acquiredAt: String, acquiredBy: String, ageSeconds: Int64
    ) {
        self.id = id
        self.operation = operation
        self.who = who
        self.info = info
        self.version = version
        self.created = created
        self.path = path
        self.acquiredAt = acquiredAt
        self.acquiredBy = acquiredBy
        self.ageSeconds = ageSeconds
    }
}

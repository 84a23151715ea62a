/// One stored version: its numbers, digests, author, lock, metadata, rollback origin and purge.
public struct Version: Codable, Equatable, Sendable {
    /// 1 for the state's first version, then 2, 3, …
    public var number: Int64
    /// The state's serial in this version.
    public var serial: Int64
    /// The state's lineage in this version.
    public var lineage: String
    /// The body's size in bytes, uncompressed.
    public var size: Int64
    /// Lowercase hexadecimal of the body's SHA-256.
    public var sha256: String
    /// Lowercase hexadecimal of the body's MD5.
    public var md5: String
    /// When it was written.
    public var createdAt: String
    /// Who wrote it.
    public var createdBy: String
    /// The lock ID the write carried.
    @Nullable public var lockID: String?
    /// The `terraform_version` that wrote it.
    @Nullable public var terraformVersion: String?
    /// The number of resources in it.
    @Nullable public var resourceCount: Int64?
    /// Whether it is an OpenTofu encrypted envelope.
    public var encrypted: Bool
    /// The version whose content a rollback wrote again.
    @Nullable public var rollbackOf: Int64?
    /// Whether this is the state's current version.
    public var current: Bool
    /// When its bytes were purged.
    @Nullable public var purgedAt: String?
    /// Who purged them.
    @Nullable public var purgedBy: String?
    /// Why, as they said.
    @Nullable public var purgeReason: String?

    private enum CodingKeys: String, CodingKey {
        case number, serial, lineage, size, sha256, md5, encrypted, current
        case createdAt = "created_at"
        case createdBy = "created_by"
        case lockID = "lock_id"
        case terraformVersion = "terraform_version"
        case resourceCount = "resource_count"
        case rollbackOf = "rollback_of"
        case purgedAt = "purged_at"
        case purgedBy = "purged_by"
        case purgeReason = "purge_reason"
    }

    /// Creates a version.
    public init(
        number: Int64, serial: Int64, lineage: String, size: Int64, sha256: String, md5: String, createdAt: String,
        createdBy: String, lockID: String?, terraformVersion: String?, resourceCount: Int64?, encrypted: Bool,
        rollbackOf: Int64?, current: Bool, purgedAt: String?, purgedBy: String?, purgeReason: String?
    ) {
        self.number = number
        self.serial = serial
        self.lineage = lineage
        self.size = size
        self.sha256 = sha256
        self.md5 = md5
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.lockID = lockID
        self.terraformVersion = terraformVersion
        self.resourceCount = resourceCount
        self.encrypted = encrypted
        self.rollbackOf = rollbackOf
        self.current = current
        self.purgedAt = purgedAt
        self.purgedBy = purgedBy
        self.purgeReason = purgeReason
    }
}

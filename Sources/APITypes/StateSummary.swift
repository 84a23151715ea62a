/// A state as listed: its latest version's numbers and metadata, its last write, its lock and
/// (for a soft-deleted state) its deletion.
public struct StateSummary: Codable, Equatable, Sendable {
    /// The state's name.
    public var name: String
    /// The store's key; a deleted and re-created name gets a new one.
    public var id: Int64
    /// When it was first locked or written.
    public var createdAt: String
    /// The latest version's number; `nil` before the first write.
    @Nullable public var version: Int64?
    /// The latest version's serial.
    @Nullable public var serial: Int64?
    /// The latest version's lineage.
    @Nullable public var lineage: String?
    /// The latest version's size in bytes, uncompressed.
    @Nullable public var size: Int64?
    /// The `terraform_version` that wrote the latest version.
    @Nullable public var terraformVersion: String?
    /// The number of resources in the latest version.
    @Nullable public var resourceCount: Int64?
    /// Whether the latest version is an OpenTofu encrypted envelope.
    public var encrypted: Bool
    /// When the latest version was written.
    @Nullable public var updatedAt: String?
    /// Who wrote it.
    @Nullable public var updatedBy: String?
    /// The lock, if one is held.
    @Nullable public var lock: Lock?
    /// When it was soft-deleted, for a deleted state.
    @Nullable public var deletedAt: String?
    /// Who deleted it.
    @Nullable public var deletedBy: String?

    private enum CodingKeys: String, CodingKey {
        case name, id, version, serial, lineage, size, encrypted, lock
        case createdAt = "created_at"
        case terraformVersion = "terraform_version"
        case resourceCount = "resource_count"
        case updatedAt = "updated_at"
        case updatedBy = "updated_by"
        case deletedAt = "deleted_at"
        case deletedBy = "deleted_by"
    }

    /// Creates a summary.
    public init(
        name: String, id: Int64, createdAt: String, version: Int64?, serial: Int64?, lineage: String?, size: Int64?,
        terraformVersion: String?, resourceCount: Int64?, encrypted: Bool, updatedAt: String?, updatedBy: String?,
        lock: Lock?, deletedAt: String?, deletedBy: String?
    ) {
        self.name = name
        self.id = id
        self.createdAt = createdAt
        self.version = version
        self.serial = serial
        self.lineage = lineage
        self.size = size
        self.terraformVersion = terraformVersion
        self.resourceCount = resourceCount
        self.encrypted = encrypted
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
        self.lock = lock
        self.deletedAt = deletedAt
        self.deletedBy = deletedBy
    }
}

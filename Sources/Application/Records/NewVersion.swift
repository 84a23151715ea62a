import Domain

/// A version about to be stored: its metadata and its gzip-compressed bytes.
public struct NewVersion: Sendable {
    /// The serial.
    public let serial: Int64
    /// The lineage.
    public let lineage: String
    /// The body, digests and compressed bytes.
    public let blob: StateBlob
    /// When it is written.
    public let createdAt: Timestamp
    /// Who writes it.
    public let createdBy: String
    /// The lock ID the write carries.
    public let lockID: String?
    /// What the body says about itself.
    public let metadata: StateMetadata
    /// The version whose content a rollback restores.
    public let rollbackOf: Int64?

    /// Creates a new version.
    public init(
        serial: Int64, lineage: String, blob: StateBlob, createdAt: Timestamp, createdBy: String, lockID: String?,
        metadata: StateMetadata, rollbackOf: Int64? = nil
    ) {
        self.serial = serial
        self.lineage = lineage
        self.blob = blob
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.lockID = lockID
        self.metadata = metadata
        self.rollbackOf = rollbackOf
    }

    /// The record this version gets as number `number`.
    public func record(number: Int64) -> VersionRecord {
        VersionRecord(
            number: number, serial: self.serial, lineage: self.lineage, size: self.blob.size,
            sha256: self.blob.sha256, md5: self.blob.md5, createdAt: self.createdAt, createdBy: self.createdBy,
            lockID: self.lockID, metadata: self.metadata, rollbackOf: self.rollbackOf)
    }
}

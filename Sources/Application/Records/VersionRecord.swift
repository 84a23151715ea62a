import Domain

/// One stored version of a state (its metadata; the bytes are fetched separately).
public struct VersionRecord: Equatable, Sendable {
    /// 1 for the first version of the state, then 2, 3, …
    public let number: Int64
    /// The state's serial in this version.
    public let serial: Int64
    /// The state's lineage in this version.
    public let lineage: String
    /// The size of the body as sent, in bytes.
    public let size: Int64
    /// SHA-256 of the body as sent.
    public let sha256: [UInt8]
    /// MD5 of the body as sent (served as `Content-MD5`).
    public let md5: [UInt8]
    /// When it was written.
    public let createdAt: Timestamp
    /// The authenticated user who wrote it.
    public let createdBy: String
    /// The lock ID the write carried, if any.
    public let lockID: String?
    /// What the body said about itself when it was written.
    public let metadata: StateMetadata
    /// The version whose content this one restored, when it was written by a rollback.
    public let rollbackOf: Int64?
    /// When and why its bytes were purged; the record stays as a tombstone.
    public let purge: Purge?

    /// Creates a record.
    public init(
        number: Int64, serial: Int64, lineage: String, size: Int64, sha256: [UInt8], md5: [UInt8],
        createdAt: Timestamp, createdBy: String, lockID: String?, metadata: StateMetadata = .unknown,
        rollbackOf: Int64? = nil, purge: Purge? = nil
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
        self.metadata = metadata
        self.rollbackOf = rollbackOf
        self.purge = purge
    }

    /// The record with its bytes purged.
    public func purged(_ purge: Purge) -> VersionRecord {
        VersionRecord(
            number: self.number, serial: self.serial, lineage: self.lineage, size: self.size, sha256: self.sha256,
            md5: self.md5, createdAt: self.createdAt, createdBy: self.createdBy, lockID: self.lockID,
            metadata: self.metadata, rollbackOf: self.rollbackOf, purge: purge)
    }

    /// What the write rules need to know about it.
    public var summary: VersionSummary {
        VersionSummary(serial: self.serial, lineage: self.lineage, sha256: self.sha256)
    }
}

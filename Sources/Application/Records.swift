import Domain

/// A live state as the store holds it: its lock and its latest version, if any.
public struct StoredState: Equatable, Sendable {
    /// The store's key for this state (a deleted and re-created name gets a new one).
    public let id: Int64
    /// The name.
    public let name: StateName
    /// When the state was first locked or written.
    public let createdAt: Timestamp
    /// The current lock.
    public let lock: StoredLock?
    /// The newest version, `nil` when the state has only been locked so far.
    public let latest: VersionRecord?

    /// Creates a record.
    public init(id: Int64, name: StateName, createdAt: Timestamp, lock: StoredLock?, latest: VersionRecord?) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.lock = lock
        self.latest = latest
    }
}

/// A held lock: the holder's LockInfo as sent, and who took it when.
public struct StoredLock: Equatable, Sendable {
    /// The LockInfo the holder sent.
    public let info: LockInfo
    /// When the server granted it.
    public let acquiredAt: Timestamp
    /// The authenticated user who took it.
    public let acquiredBy: String

    /// Creates a lock record.
    public init(info: LockInfo, acquiredAt: Timestamp, acquiredBy: String) {
        self.info = info
        self.acquiredAt = acquiredAt
        self.acquiredBy = acquiredBy
    }
}

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

    /// Creates a record.
    public init(
        number: Int64, serial: Int64, lineage: String, size: Int64, sha256: [UInt8], md5: [UInt8],
        createdAt: Timestamp, createdBy: String, lockID: String?
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
    }

    /// What the write rules need to know about it.
    public var summary: VersionSummary {
        VersionSummary(serial: self.serial, lineage: self.lineage, sha256: self.sha256)
    }
}

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

    /// Creates a new version.
    public init(
        serial: Int64, lineage: String, blob: StateBlob, createdAt: Timestamp, createdBy: String, lockID: String?
    ) {
        self.serial = serial
        self.lineage = lineage
        self.blob = blob
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.lockID = lockID
    }
}

/// A state with its deletion, for operations that see deleted states too (copying a store).
public struct StateEntry: Equatable, Sendable {
    /// The state (for a deleted one, as it was when deleted).
    public let state: StoredState
    /// When it was soft-deleted, if it was.
    public let deletedAt: Timestamp?
    /// Who deleted it.
    public let deletedBy: String?

    /// Creates an entry.
    public init(state: StoredState, deletedAt: Timestamp?, deletedBy: String?) {
        self.state = state
        self.deletedAt = deletedAt
        self.deletedBy = deletedBy
    }
}

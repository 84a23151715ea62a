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

/// What a state body says about itself, read when it is written (never its values).
public struct StateMetadata: Equatable, Sendable {
    /// The `terraform_version` that wrote it.
    public let terraformVersion: String?
    /// The number of entries in `resources`.
    public let resourceCount: Int64?
    /// The names of its outputs, in document order.
    public let outputNames: [String]
    /// Whether it is an OpenTofu client-side encrypted envelope.
    public let encrypted: Bool

    /// Nothing known (versions stored before Statehouse recorded metadata).
    public static let unknown = StateMetadata(
        terraformVersion: nil, resourceCount: nil, outputNames: [], encrypted: false)

    /// Creates metadata.
    public init(terraformVersion: String?, resourceCount: Int64?, outputNames: [String], encrypted: Bool) {
        self.terraformVersion = terraformVersion
        self.resourceCount = resourceCount
        self.outputNames = outputNames
        self.encrypted = encrypted
    }

    /// The metadata of a parsed body.
    public init(_ header: StateHeader) {
        self.init(
            terraformVersion: header.terraformVersion, resourceCount: header.resourceCount.map(Int64.init),
            outputNames: header.outputNames, encrypted: header.encrypted)
    }
}

extension StateMetadata {
    /// The output names as a JSON array, the form stores keep them in.
    public var outputNamesJSON: String {
        "[" + self.outputNames.map(jsonQuoted).joined(separator: ",") + "]"
    }

    /// The output names from a stored JSON array.
    public static func outputNames(fromJSON text: String) throws -> [String] {
        let names = try JSONValue(parsing: Array(text.utf8)).arrayValue?.compactMap(\.stringValue)
        guard let names else { throw StoreError(.fault, "stored output names are not a JSON array") }
        return names
    }
}

/// A version's bytes removed on purpose (a leaked secret): when, by whom, why.
public struct Purge: Equatable, Sendable {
    /// When.
    public let at: Timestamp
    /// The user who purged it.
    public let by: String
    /// Why, as they said.
    public let reason: String?

    /// Creates a purge record.
    public init(at: Timestamp, by: String, reason: String?) {
        self.at = at
        self.by = by
        self.reason = reason
    }
}

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
    }

    /// The store's key, in commit order (0 before it is stored).
    public let id: Int64
    /// When.
    public let at: Timestamp
    /// What.
    public let action: Action
    /// Which state.
    public let state: StateName
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
        id: Int64 = 0, at: Timestamp, action: Action, state: StateName, version: Int64? = nil, user: String,
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

/// Which audit events to read: oldest first, after `after`.
public struct AuditQuery: Equatable, Sendable {
    /// Only events on this state.
    public var state: StateName?
    /// Only events at or after this time.
    public var since: Timestamp?
    /// Only events with a greater ID (the page before ended there).
    public var after: Int64?
    /// At most this many.
    public var limit: Int

    /// Creates a query.
    public init(state: StateName? = nil, since: Timestamp? = nil, after: Int64? = nil, limit: Int) {
        self.state = state
        self.since = since
        self.after = after
        self.limit = limit
    }
}

/// Which states to list: ordered by name (then key), after `after`.
public struct StateQuery: Equatable, Sendable {
    /// Only names starting with this string.
    public var prefix: String?
    /// Soft-deleted states instead of live ones.
    public var deleted: Bool
    /// Only states after this position (the page before ended there).
    public var after: StatePosition?
    /// At most this many.
    public var limit: Int

    /// Creates a query.
    public init(prefix: String? = nil, deleted: Bool = false, after: StatePosition? = nil, limit: Int) {
        self.prefix = prefix
        self.deleted = deleted
        self.after = after
        self.limit = limit
    }
}

/// A place in the name-ordered list of states.
public struct StatePosition: Equatable, Sendable {
    /// The name.
    public let name: String
    /// The store's key (deleted states can share a name).
    public let id: Int64

    /// Creates a position.
    public init(name: String, id: Int64) {
        self.name = name
        self.id = id
    }
}

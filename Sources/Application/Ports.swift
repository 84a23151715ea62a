import Domain

/// Runs a use case's reads and writes as one transaction.
public protocol UnitOfWork: Sendable {
    /// Runs `work` with repositories bound to one transaction: committed when `work` returns,
    /// rolled back when it throws (the error is rethrown).
    func transaction<T>(_ work: (any StateRepository) throws -> T) throws -> T

    /// Runs `work`, which only reads with one repository call, as cheaply as the store allows
    /// (PostgreSQL: a single statement without BEGIN/COMMIT, which sees one consistent snapshot).
    func read<T>(_ work: (any StateRepository) throws -> T) throws -> T

    /// Runs `work`, which only reads, against one consistent snapshot of the whole store, however
    /// many calls it makes and whatever is written meanwhile.
    func snapshot<T>(_ work: (any StateRepository) throws -> T) throws -> T

    /// Returns when the store answered a trivial query; throws `unavailable` when it cannot be
    /// reached now.
    func ping() throws(StoreError)
}

extension UnitOfWork {
    /// By default a read is a transaction like any other.
    public func read<T>(_ work: (any StateRepository) throws -> T) throws -> T {
        try self.transaction(work)
    }

    /// By default a snapshot is a transaction like any other.
    public func snapshot<T>(_ work: (any StateRepository) throws -> T) throws -> T {
        try self.transaction(work)
    }
}

/// States, their locks and versions, inside one transaction.
///
/// Methods named `…ForUpdate` take the state's row lock until the transaction ends, so that two
/// server processes on one database never both decide on the same state.
public protocol StateRepository {
    /// The live state called `name`, locked for update, or `nil`.
    func stateForUpdate(named name: StateName) throws -> StoredState?

    /// The live state called `name`, created first if there is none, locked for update.
    func createStateForUpdate(named name: StateName, at time: Timestamp) throws -> StoredState

    /// The latest version of the live state called `name` (with the state's key), or `nil`
    /// when there is no such state or it has no version yet.
    func currentVersion(named name: StateName) throws -> (stateID: Int64, version: VersionRecord)?

    /// Every version of `state`, oldest first.
    func versions(of state: StoredState) throws -> [VersionRecord]

    /// The gzip bytes of version `number` of the state keyed `stateID`, or `nil` when there is
    /// no such version.
    func content(stateID: Int64, version number: Int64) throws -> [UInt8]?

    /// Sets or clears the lock of `state`.
    func setLock(_ lock: StoredLock?, on state: StoredState) throws

    /// Stores `version` as the next version of `state` and returns its record.
    func appendVersion(_ version: NewVersion, to state: StoredState) throws -> VersionRecord

    /// Soft-deletes `state`: it disappears for clients, its versions are kept.
    func markDeleted(_ state: StoredState, at time: Timestamp, by principal: String) throws

    /// Every state, live and deleted, oldest first.
    func allStates() throws -> [StateEntry]

    /// Inserts `entry` as it was recorded elsewhere (name, times, lock, deletion, which version
    /// is its latest); returns the key this store gives it. Its versions follow with
    /// `insertVersion`.
    func insertState(_ entry: StateEntry) throws -> Int64

    /// Inserts a version exactly as recorded elsewhere (number, digests, times, author, purge)
    /// into the state keyed `stateID`; `gzip` is `nil` for a purged version.
    func insertVersion(_ record: VersionRecord, gzip: [UInt8]?, stateID: Int64) throws

    // MARK: Management

    /// The live state called `name`, without locking it, or `nil`.
    func state(named name: StateName) throws -> StoredState?

    /// A page of states, live or deleted, ordered by name and then key.
    func states(_ query: StateQuery) throws -> [StateEntry]

    /// The soft-deleted states called `name`, most recently deleted first.
    func deletedStates(named name: StateName) throws -> [StateEntry]

    /// Every live state that is locked, oldest lock first.
    func lockedStates() throws -> [StoredState]

    /// The number of versions the state keyed `stateID` has (purged ones included).
    func versionCount(stateID: Int64) throws -> Int64

    /// Up to `limit` versions of the state keyed `stateID`, newest first, numbered below
    /// `before` when given.
    func versions(stateID: Int64, before: Int64?, limit: Int) throws -> [VersionRecord]

    /// Version `number` of the state keyed `stateID`, or `nil`.
    func version(stateID: Int64, number: Int64) throws -> VersionRecord?

    /// Removes the bytes of one version and records why; the record stays.
    func purgeVersion(stateID: Int64, number: Int64, _ purge: Purge) throws

    /// Removes versions (records and bytes) of the state keyed `stateID`.
    func deleteVersions(stateID: Int64, numbers: [Int64]) throws

    /// Makes the soft-deleted state keyed `stateID` live again; `false` when it is not deleted
    /// (any more).
    func restoreState(stateID: Int64) throws -> Bool

    /// Removes the state keyed `stateID` and all its versions for good if it is still deleted
    /// and was deleted before `cutoff`; `false` when it was not (restored or expunged meanwhile).
    func expungeState(stateID: Int64, deletedBefore cutoff: Timestamp) throws -> Bool

    /// Records `event` (its `id` is ignored; the store numbers events in order).
    func appendAudit(_ event: AuditEvent) throws

    /// A page of audit events, oldest first.
    func auditEvents(_ query: AuditQuery) throws -> [AuditEvent]
}

/// Who asks for a use case, and from where: recorded in the audit log.
public struct Caller: Equatable, Sendable {
    /// The authenticated user.
    public let principal: Principal
    /// The client's address.
    public let address: String?
    /// The request's ID.
    public let requestID: String?

    /// Creates a caller.
    public init(_ principal: Principal, address: String? = nil, requestID: String? = nil) {
        self.principal = principal
        self.address = address
        self.requestID = requestID
    }

    /// An audit event by this caller.
    func event(
        _ action: AuditEvent.Action, on state: StateName, at time: Timestamp, version: Int64? = nil,
        lockID: String? = nil, reason: String? = nil, detail: String? = nil
    ) -> AuditEvent {
        AuditEvent(
            at: time, action: action, state: state, version: version, user: self.principal.name,
            address: self.address, requestID: self.requestID, lockID: lockID, reason: reason, detail: detail)
    }
}

/// The current time.
public protocol WallClock: Sendable {
    /// Now.
    func now() -> Timestamp
}

/// The outcome of checking a password.
public enum CredentialCheck: Equatable, Sendable {
    /// The credentials are right.
    case accepted(Principal)
    /// Unknown user or wrong password.
    case rejected
    /// Too many verifications are running to check these in time; worth retrying.
    case busy
}

/// Checks credentials: HTTP Basic, or a verified TLS client certificate.
public protocol CredentialVerifier: Sendable {
    /// Whether `password` is right for `username`.
    func verify(username: String, password: String) -> CredentialCheck

    /// The principal for a client certificate with this common name (already verified against
    /// the configured CA), or `nil`.
    func verify(certificateCommonName: String) -> Principal?
}

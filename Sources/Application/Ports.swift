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

    /// Inserts a version exactly as recorded elsewhere (number, digests, times, author) into
    /// the state keyed `stateID`.
    func insertVersion(_ record: VersionRecord, gzip: [UInt8], stateID: Int64) throws
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

import Domain

/// Runs a use case's reads and writes as one transaction.
public protocol UnitOfWork: Sendable {
    /// Runs `work` with repositories bound to one transaction: committed when `work` returns,
    /// rolled back when it throws (the error is rethrown).
    func transaction<T>(_ work: (any StateRepository) throws -> T) throws -> T
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

    /// The latest version of the live state called `name` and its gzip bytes, or `nil` when
    /// there is no such state or it has no version yet.
    func currentContent(named name: StateName) throws -> (VersionRecord, [UInt8])?

    /// Every version of `state`, oldest first.
    func versions(of state: StoredState) throws -> [VersionRecord]

    /// The gzip bytes of version `number` of `state`, or `nil` when there is no such version.
    func content(of state: StoredState, version number: Int64) throws -> [UInt8]?

    /// Sets or clears the lock of `state`.
    func setLock(_ lock: StoredLock?, on state: StoredState) throws

    /// Stores `version` as the next version of `state` and returns its record.
    func appendVersion(_ version: NewVersion, to state: StoredState) throws -> VersionRecord

    /// Soft-deletes `state`: it disappears for clients, its versions are kept.
    func markDeleted(_ state: StoredState, at time: Timestamp, by principal: String) throws
}

/// The current time.
public protocol WallClock: Sendable {
    /// Now.
    func now() -> Timestamp
}

/// Checks HTTP Basic credentials.
public protocol CredentialVerifier: Sendable {
    /// The principal for `username` when `password` is right, otherwise `nil`.
    func verify(username: String, password: String) -> Principal?
}

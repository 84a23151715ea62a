import Domain

/// A state, its lock and its versions, as the protocol (read, write, lock, unlock, delete) and the
/// repairs (purge, rollback, restore) change them inside one transaction.
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

    /// The stored bytes of version `number` of the state keyed `stateID` (called `name`, which an
    /// encrypting store binds them to), or `nil` when there is no such version or its bytes were
    /// purged.
    func content(of name: StateName, stateID: Int64, version number: Int64) throws -> [UInt8]?

    /// Sets or clears the lock of `state`.
    func setLock(_ lock: StoredLock?, on state: StoredState) throws

    /// Stores `version` as version `state.nextVersionNumber` of `state` and returns its record.
    func appendVersion(_ version: NewVersion, to state: StoredState) throws -> VersionRecord

    /// Soft-deletes `state`: it disappears for clients, its versions are kept.
    func markDeleted(_ state: StoredState, at time: Timestamp, by principal: String) throws

    /// Makes the soft-deleted state keyed `stateID` live again; `false` when it is not deleted
    /// (any more).
    func restoreState(stateID: Int64) throws -> Bool

    /// Removes the bytes of one version and records why; the record stays.
    func purgeVersion(stateID: Int64, number: Int64, _ purge: Purge) throws
}

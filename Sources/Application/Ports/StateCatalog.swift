import Domain

/// States and versions looked up and listed without taking row locks: what the management API,
/// retention and store copies read.
public protocol StateCatalog {
    /// The live state called `name`, or `nil`.
    func state(named name: StateName) throws -> StoredState?

    /// A page of states, live or deleted, ordered by name (bytewise) and then key.
    func states(_ query: StateQuery) throws -> [StateEntry]

    /// Every state, live and deleted, oldest first.
    func allStates() throws -> [StateEntry]

    /// The soft-deleted states called `name`, most recently deleted first.
    func deletedStates(named name: StateName) throws -> [StateEntry]

    /// A page of the live states that are locked, oldest lock first.
    func lockedStates(_ query: LockQuery) throws -> [StoredState]

    /// How many live states are locked and when the oldest of those locks was taken, counted by
    /// the store without loading any lock.
    func lockSummary() throws -> LockSummary

    /// The number of versions the state keyed `stateID` has (purged ones included).
    func versionCount(stateID: Int64) throws -> Int64

    /// Every version of the state keyed `stateID`, oldest first.
    func versions(stateID: Int64) throws -> [VersionRecord]

    /// Up to `limit` versions of the state keyed `stateID`, newest first, numbered below
    /// `before` when given.
    func versions(stateID: Int64, before: Int64?, limit: Int) throws -> [VersionRecord]

    /// Version `number` of the state keyed `stateID`, or `nil`.
    func version(stateID: Int64, number: Int64) throws -> VersionRecord?
}

import Domain

/// Removes history for good, as the retention policy asks.
public protocol HistoryPruning {
    /// Removes versions (records and bytes) of the state keyed `stateID`.
    func deleteVersions(stateID: Int64, numbers: [Int64]) throws

    /// Removes the state keyed `stateID` and all its versions if it is still deleted and was
    /// deleted before `cutoff`; `false` when it was not (restored or expunged meanwhile).
    func expungeState(stateID: Int64, deletedBefore cutoff: Timestamp) throws -> Bool
}

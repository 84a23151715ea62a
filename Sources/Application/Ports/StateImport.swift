import Domain

/// Inserts states and versions exactly as another store recorded them: names, times, locks,
/// deletions, version numbers, digests and purges (what `migrate-store` copies).
public protocol StateImport {
    /// Inserts `entry` (which version is its latest included); returns the key this store gives
    /// it. Its versions follow with `insertVersion`.
    func insertState(_ entry: StateEntry) throws -> Int64

    /// Inserts a version into the state keyed `stateID` (called `name`); `gzip` is `nil` for a
    /// purged version.
    func insertVersion(_ record: VersionRecord, gzip: [UInt8]?, of name: StateName, stateID: Int64) throws

    /// Makes version `number`, inserted with `insertVersion`, the latest of the state keyed
    /// `stateID` (versions added after its latest by `import --merge`).
    func setLatest(_ number: Int64, stateID: Int64) throws
}

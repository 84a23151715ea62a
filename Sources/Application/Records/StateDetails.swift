import Domain

/// A state with what the management API shows about it beyond its summary.
public struct StateDetails: Equatable, Sendable {
    /// The state and its deletion, if any.
    public let entry: StateEntry
    /// How many versions it keeps (purged ones included).
    public let versionCount: Int64

    /// Creates details.
    public init(entry: StateEntry, versionCount: Int64) {
        self.entry = entry
        self.versionCount = versionCount
    }
}

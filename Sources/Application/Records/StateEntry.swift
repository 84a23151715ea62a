import Domain

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

import Domain

/// How many live states are locked, and when the oldest of those locks was taken.
public struct LockSummary: Equatable, Sendable {
    /// Live states that are locked.
    public let count: Int
    /// When the oldest of those locks was taken; `nil` when there is none.
    public let oldestAcquiredAt: Timestamp?

    /// Creates a summary.
    public init(count: Int, oldestAcquiredAt: Timestamp?) {
        self.count = count
        self.oldestAcquiredAt = oldestAcquiredAt
    }
}

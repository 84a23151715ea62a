import Domain

/// A place in the oldest-first list of locks.
public struct LockPosition: Equatable, Sendable {
    /// When the lock was taken.
    public let acquiredAt: Timestamp
    /// The locked state's key (locks taken in the same microsecond follow it).
    public let id: Int64

    /// Creates a position.
    public init(acquiredAt: Timestamp, id: Int64) {
        self.acquiredAt = acquiredAt
        self.id = id
    }
}

import Domain

/// A held lock: the holder's LockInfo as sent, and who took it when.
public struct StoredLock: Equatable, Sendable {
    /// The LockInfo the holder sent.
    public let info: LockInfo
    /// When the server granted it.
    public let acquiredAt: Timestamp
    /// The authenticated user who took it.
    public let acquiredBy: String

    /// Creates a lock record.
    public init(info: LockInfo, acquiredAt: Timestamp, acquiredBy: String) {
        self.info = info
        self.acquiredAt = acquiredAt
        self.acquiredBy = acquiredBy
    }
}

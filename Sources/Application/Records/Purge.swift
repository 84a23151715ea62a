import Domain

/// A version's bytes removed on purpose (a leaked secret): when, by whom, why.
public struct Purge: Equatable, Sendable {
    /// When.
    public let at: Timestamp
    /// The user who purged it.
    public let by: String
    /// Why, as they said.
    public let reason: String?

    /// Creates a purge record.
    public init(at: Timestamp, by: String, reason: String?) {
        self.at = at
        self.by = by
        self.reason = reason
    }
}

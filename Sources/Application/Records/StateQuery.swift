import Domain

/// Which states to list: ordered by name (then key), after `after`.
public struct StateQuery: Equatable, Sendable {
    /// Only names starting with this string.
    public var prefix: String?
    /// Soft-deleted states instead of live ones.
    public var deleted: Bool
    /// Only states after this position (the page before ended there).
    public var after: StatePosition?
    /// At most this many.
    public var limit: Int

    /// Creates a query.
    public init(prefix: String? = nil, deleted: Bool = false, after: StatePosition? = nil, limit: Int) {
        self.prefix = prefix
        self.deleted = deleted
        self.after = after
        self.limit = limit
    }
}

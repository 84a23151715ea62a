import Domain

/// Which states to list: ordered by name (then key), after `after`.
public struct StateQuery: Equatable, Sendable {
    /// Only names starting with this string.
    public var prefix: String?
    /// Only names containing this text, ASCII letters in either case (at most
    /// `maxContainsBytes`).
    public var contains: String?
    /// Soft-deleted states instead of live ones.
    public var deleted: Bool
    /// Only states with a latest version whose bytes are stored: not those only locked so far
    /// (nor one whose latest version was purged).
    public var withVersion: Bool
    /// Only states after this position (the page before ended there).
    public var after: StatePosition?
    /// At most this many.
    public var limit: Int

    /// Creates a query.
    public init(
        prefix: String? = nil, contains: String? = nil, deleted: Bool = false, withVersion: Bool = false,
        after: StatePosition? = nil, limit: Int
    ) {
        self.prefix = prefix
        self.contains = contains
        self.deleted = deleted
        self.withVersion = withVersion
        self.after = after
        self.limit = limit
    }
}

extension StateQuery {
    /// The longest `contains` text accepted, in bytes.
    public static let maxContainsBytes = 200

    /// `contains` with its ASCII letters lowered: what a store looks for in the name with its
    /// ASCII letters lowered (names are ASCII, so this is a case-insensitive search).
    package var foldedContains: String? { self.contains.map(Self.foldingASCII) }

    /// `text` with its ASCII letters lowered and every other byte as it is.
    package static func foldingASCII(_ text: String) -> String {
        String(decoding: text.utf8.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}

/// Access to the states under a name prefix.
public struct Grant: Equatable, Sendable {
    /// `*` for every state, or a name prefix matched on segment boundaries: `team/app` covers
    /// `team/app` and `team/app/prod` but not `team/application`.
    public let prefix: String
    /// The access granted.
    public let access: Access

    /// Creates a grant.
    public init(prefix: String, access: Access) {
        self.prefix = prefix
        self.access = access
    }

    /// Whether the grant covers `name`.
    public func covers(_ name: StateName) -> Bool {
        if self.prefix == "*" { return true }
        let prefix = Self.bare(self.prefix)
        let value = name.rawValue
        return value == prefix || value.hasPrefix(prefix + "/")
    }
}

extension Grant {
    /// `prefix` without a trailing `/`.
    private static func bare(_ prefix: String) -> String {
        prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
    }

    /// The prefix without a trailing `/`.
    private var bare: String { Self.bare(self.prefix) }

    /// Throws unless `prefix` is `*` or a state name, with or without a trailing `/`: what a
    /// grant may be on.
    public static func validate(prefix: String) throws(DomainError) {
        guard prefix != "*" else { return }
        _ = try StateName(Self.bare(prefix))
    }

    /// Whether every state under `other`'s prefix is under this grant's prefix (`*` only under `*`).
    public func coversPrefix(of other: Grant) -> Bool {
        if self.prefix == "*" { return true }
        if other.prefix == "*" { return false }
        return other.bare == self.bare || other.bare.hasPrefix(self.bare + "/")
    }

    /// Whether this grant gives at least what `other` gives on every state `other` covers: what a
    /// user may hand on to a token.
    public func includes(_ other: Grant) -> Bool {
        self.access >= other.access && self.coversPrefix(of: other)
    }

    /// What both grants give: on the narrower prefix, the lower access; `nil` when the prefixes
    /// are apart. A principal with the intersections of two sets of grants has, on every state,
    /// the lower of what each set gives.
    public func intersection(_ other: Grant) -> Grant? {
        let access = min(self.access, other.access)
        if self.coversPrefix(of: other) { return Grant(prefix: other.prefix, access: access) }
        if other.coversPrefix(of: self) { return Grant(prefix: self.prefix, access: access) }
        return nil
    }
}

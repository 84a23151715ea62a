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
        let prefix = self.prefix.hasSuffix("/") ? String(self.prefix.dropLast()) : self.prefix
        let value = name.rawValue
        return value == prefix || value.hasPrefix(prefix + "/")
    }
}

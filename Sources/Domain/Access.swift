/// What a principal may do with a state. Each level includes the ones below it.
public enum Access: Int, Comparable, Sendable, CaseIterable, CustomStringConvertible {
    /// GET.
    case read = 1
    /// Write, lock and unlock (including Terraform's force-unlock by empty body).
    case write = 2
    /// Delete and other force actions.
    case admin = 3

    /// Orders by power.
    public static func < (lhs: Access, rhs: Access) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `read`, `write` or `admin`.
    public var description: String {
        switch self {
        case .read: "read"
        case .write: "write"
        case .admin: "admin"
        }
    }
}

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

/// An authenticated user and what they may do.
public struct Principal: Equatable, Sendable {
    /// The user name, recorded on every version and lock.
    public let name: String
    /// The user's grants.
    public let grants: [Grant]

    /// Creates a principal.
    public init(name: String, grants: [Grant]) {
        self.name = name
        self.grants = grants
    }

    /// The highest access any grant gives on `state`, or `nil`.
    public func access(to state: StateName) -> Access? {
        self.grants.filter { $0.covers(state) }.map(\.access).max()
    }

    /// Whether the principal has at least `access` on `state`.
    public func may(_ access: Access, _ state: StateName) -> Bool {
        guard let granted = self.access(to: state) else { return false }
        return granted >= access
    }
}

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

/// An authenticated user, token or workload, and what it may do.
public struct Principal: Equatable, Sendable {
    /// How a principal proved who it is.
    public enum Identity: Equatable, Sendable {
        /// A user of the configuration, by password or client certificate.
        case user
        /// An API token (`token:<owner>/<name>`), acting for the user who created it.
        case token(id: String, owner: String)
        /// A workload's OIDC ID token: its issuer and its claims (strings; numbers and booleans as
        /// their JSON text).
        case workload(issuer: String, claims: [String: String])
    }

    /// The name recorded on every version, lock and audit entry: the user name,
    /// `token:<owner>/<name>` or `oidc:<issuer host>:<sub>`.
    public let name: String
    /// The principal's grants.
    public let grants: [Grant]
    /// How it logged in.
    public let identity: Identity
    /// The protected prefixes under which it may not change or lock states, whatever its grants.
    public let protections: [ProtectedPrefix]

    /// Creates a principal.
    public init(name: String, grants: [Grant], identity: Identity = .user, protections: [ProtectedPrefix] = []) {
        self.name = name
        self.grants = grants
        self.identity = identity
        self.protections = protections
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

    /// The principal bound by those of `rules` that do not admit it.
    public func protected(by rules: [ProtectedPrefix]) -> Principal {
        Principal(
            name: self.name, grants: self.grants, identity: self.identity,
            protections: rules.filter { !$0.admits(self) })
    }

    /// The protected prefix that keeps the principal from changing `state`, or `nil`.
    public func protection(of state: StateName) -> ProtectedPrefix? {
        self.protections.first { $0.covers(state) }
    }
}

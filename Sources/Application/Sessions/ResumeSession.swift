import Domain

/// Resumes a web UI session from its secret: finds it by the secret's SHA-256 and looks its
/// principal up again, as a login would make it now, so a change of grants, a removed user or a
/// revoked token applies at once.
public struct ResumeSession: Sendable {
    private let store: any UnitOfWork
    private let authenticator: Authenticator
    private let clock: any WallClock

    /// Creates the use case.
    public init(store: any UnitOfWork, authenticator: Authenticator, clock: any WallClock) {
        self.store = store
        self.authenticator = authenticator
        self.clock = clock
    }

    /// The session whose cookie holds `secret`; `nil` when there is none, it expired or ended, or
    /// its user or token is gone.
    public func execute(secret: String) throws(ApplicationError) -> WebSession? {
        guard SessionSecret.isWellFormed(secret) else { return nil }
        let hash = SessionSecret.hash(secret)
        return try ApplicationError.translating {
            guard let session = try self.store.read({ try $0.sessions.session(secretHash: hash) }) else { return nil }
            let now = self.clock.now()
            guard now < session.expiresAt else { return nil }
            let principal: Principal?
            switch session.holder {
            case .user(let name):
                principal = self.authenticator.user(named: name)
            case .token(let id, _):
                principal = try self.store.read { try $0.tokens.token(id: id) }.flatMap {
                    self.authenticator.principal(of: $0, at: now)
                }
            }
            return principal.map {
                WebSession(principal: $0, csrfToken: SessionSecret.csrfToken(for: secret), expiresAt: session.expiresAt)
            }
        }
    }
}

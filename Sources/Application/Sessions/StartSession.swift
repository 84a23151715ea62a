import Domain
import Logging
import Metrics
import SystemSupport

/// Signs in to the web UI: checks the credentials as every request's are checked (throttle,
/// password hashing, token lookup), then stores a new session under the SHA-256 of a fresh secret.
/// A configured user (password or client certificate) or an API token may sign in; a workload's
/// OIDC ID token may not, being meant for a CI job, not for a person. A token's session ends with
/// the token at the latest. Past `maxPerPrincipal` sessions, the principal's oldest ones end.
public struct StartSession: Sendable {
    /// What a sign-in came to, as the metric labels it.
    enum Result: String, CaseIterable {
        case ok, rejected, throttled, busy, unavailable
    }

    private let store: any UnitOfWork
    private let authenticator: Authenticator
    private let clock: any WallClock
    private let policy: SessionPolicy
    private let logger: Logger
    private let results: [String: Counter]
    private let replaced: Counter

    /// Creates the use case; it logs sign-ins to `logger` and counts them through `factory`.
    public init(
        store: any UnitOfWork, authenticator: Authenticator, clock: any WallClock, policy: SessionPolicy,
        logger: Logger, factory: any MetricsFactory = NOOPMetricsHandler.instance
    ) {
        self.store = store
        self.authenticator = authenticator
        self.clock = clock
        self.policy = policy
        self.logger = logger
        var results: [String: Counter] = [:]
        for result in Result.allCases {
            results[result.rawValue] = Counter(
                label: "statehouse_ui_sign_ins_total", dimensions: [("result", result.rawValue)], factory: factory)
        }
        self.results = results
        self.replaced = SessionMetrics.ended(.replaced, factory: factory)
    }

    /// Signs in with `credentials` from the client at `address`.
    public func execute(_ credentials: PresentedCredentials, from address: String, requestID: String?)
        -> SessionStart
    {
        let start = self.start(credentials, from: address, requestID: requestID)
        let result: Result =
            switch start {
            case .started: .ok
            case .rejected: .rejected
            case .throttled: .throttled
            case .busy: .busy
            case .unavailable: .unavailable
            }
        self.results[result.rawValue]?.increment()
        return start
    }

    private func start(_ credentials: PresentedCredentials, from address: String, requestID: String?)
        -> SessionStart
    {
        let principal: Principal
        switch self.authenticator.authenticate(credentials, from: address) {
        case .accepted(let accepted): principal = accepted
        case .rejected: return .rejected
        case .busy: return .busy
        case .unavailable(let what): return .unavailable(what)
        case .throttled(let retryAfter): return .throttled(retryAfter: retryAfter)
        }
        let holder: StoredSession.Holder
        switch principal.identity {
        case .user: holder = .user(name: principal.name)
        case .token(let id, let owner): holder = .token(id: id, owner: owner)
        case .workload: return .rejected
        }
        let secret = SessionSecret.generate()
        let now = self.clock.now()
        let lifetimeEnd = Timestamp(microseconds: now.microseconds + self.policy.lifetime.microseconds)
        let stored: (session: StoredSession, replaced: Int)?
        do {
            stored = try self.store.transaction { transaction in
                var expiresAt = lifetimeEnd
                if case .token(let id, _) = holder {
                    // Revoked since it was checked, perhaps: no session then.
                    guard let token = try transaction.tokens.token(id: id), token.isLive(at: now) else { return nil }
                    expiresAt = min(expiresAt, token.expiresAt)
                }
                let existing = try transaction.sessions.sessions(of: holder)
                let oldest = existing.prefix(max(0, existing.count - (self.policy.maxPerPrincipal - 1)))
                for old in oldest { try transaction.sessions.delete(secretHash: old.secretHash) }
                let session = StoredSession(
                    secretHash: SessionSecret.hash(secret), holder: holder, createdAt: now, expiresAt: expiresAt,
                    address: address)
                try transaction.sessions.insert(session)
                return (session, oldest.count)
            }
        } catch {
            self.logger.warning("cannot store a session", metadata: ["error": "\(error)"])
            return .unavailable("the store does not answer")
        }
        guard let stored else { return .rejected }
        self.replaced.increment(by: Int64(stored.replaced))
        var metadata: Logger.Metadata = ["user": .string(principal.name), "address": .string(address)]
        if let requestID { metadata["request.id"] = .string(requestID) }
        self.logger.info("signed in", metadata: metadata)
        return .started(
            secret: secret,
            session: WebSession(
                principal: principal, csrfToken: SessionSecret.csrfToken(for: secret),
                expiresAt: stored.session.expiresAt))
    }
}

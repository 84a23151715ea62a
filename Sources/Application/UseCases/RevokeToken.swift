import Domain

/// Revokes an API token at once: every server looks tokens up in the store on each request. Its
/// web UI sessions end in the same transaction.
public struct RevokeToken: Sendable {
    private let store: any UnitOfWork
    private let clock: any WallClock

    /// Creates the use case.
    public init(store: any UnitOfWork, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    /// Revokes the token `id` of `caller` (of anyone for an admin on `*`) and returns it revoked;
    /// a token revoked already is returned as it is.
    public func execute(id: String, as caller: Caller) throws(ApplicationError) -> StoredToken {
        let principal = caller.principal
        try principal.requireUser(to: "revoke tokens")
        return try ApplicationError.translating {
            try self.store.transaction { transaction in
                // Someone else's token is as unknown as a missing one: ids are not for guessing.
                guard let token = try transaction.tokens.token(id: id),
                    token.owner == principal.name || principal.administersEverything
                else {
                    throw ApplicationError(.notFound, "no token \(id) that \(principal.name) may revoke")
                }
                let now = self.clock.now()
                // Revoked already, perhaps a moment ago by another server: answered as it is.
                guard token.revokedAt == nil, try transaction.tokens.revoke(id: id, at: now) else {
                    return try transaction.tokens.token(id: id) ?? token
                }
                // Its web sessions end with it.
                try transaction.sessions.deleteSessions(ofToken: id)
                try transaction.audit.append(
                    caller.tokenEvent(.revokeToken, at: now, detail: "\(token.id) \(token.principalName)"))
                return token.with(lastUsedAt: token.lastUsedAt, revokedAt: now)
            }
        }
    }
}

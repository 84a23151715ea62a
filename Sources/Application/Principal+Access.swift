import Domain

extension Principal {
    /// Throws `forbidden` unless the principal has `access` on `state`.
    public func require(_ access: Access, on state: StateName) throws(ApplicationError) {
        guard self.may(access, state) else {
            throw ApplicationError(.forbidden, "\(self.name) lacks \(access) access to \(state)")
        }
    }

    /// `require(_:toChange:)` for a request that changes or locks `state`, `require(_:on:)` for
    /// one that does not.
    public func require(_ access: Access, on state: StateName, changing: Bool) throws(ApplicationError) {
        if changing {
            try self.require(access, toChange: state)
        } else {
            try self.require(access, on: state)
        }
    }

    /// Throws `forbidden` unless the principal has `access` on `state` and no protected prefix
    /// keeps it from changing or locking `state`.
    public func require(_ access: Access, toChange state: StateName) throws(ApplicationError) {
        try self.require(access, on: state)
        if let rule = self.protection(of: state) {
            throw ApplicationError(
                .forbidden,
                "\(state) is under a \(rule); \(self.name) may still read it and force-unlock it as its grants allow")
        }
    }
}

extension Principal {
    /// Whether the principal has admin on `*`: it sees and revokes every user's tokens.
    public var administersEverything: Bool {
        self.grants.contains { $0.prefix == "*" && $0.access == .admin }
    }

    /// Throws `forbidden` unless the principal is a configured user (not a token or a workload):
    /// only people manage tokens, so a leaked token cannot mint or revoke others.
    func requireUser(to action: String) throws(ApplicationError) {
        guard self.identity == .user else {
            throw ApplicationError(
                .forbidden, "only users may \(action); \(self.name) is not one (log in with a user's password)")
        }
    }
}

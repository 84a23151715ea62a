import Domain

extension Principal {
    /// Throws `forbidden` unless the principal has `access` on `state`.
    public func require(_ access: Access, on state: StateName) throws(ApplicationError) {
        guard self.may(access, state) else {
            throw ApplicationError(.forbidden, "\(self.name) lacks \(access) access to \(state)")
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

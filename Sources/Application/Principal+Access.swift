import Domain

extension Principal {
    /// Throws `forbidden` unless the principal has `access` on `state`.
    public func require(_ access: Access, on state: StateName) throws(ApplicationError) {
        guard self.may(access, state) else {
            throw ApplicationError(.forbidden, "user \(self.name) lacks \(access) access to \(state)")
        }
    }
}

import Domain

/// The API tokens a user may see: their own, or every user's for an admin on `*`. Never a secret
/// or its hash (the records carry the hash; drivers leave it out).
public struct ListTokens: Sendable {
    private let store: any UnitOfWork

    /// Creates the use case.
    public init(store: any UnitOfWork) {
        self.store = store
    }

    /// The unrevoked tokens `caller` may see, expired ones included, by owner then name.
    public func execute(as caller: Caller) throws(ApplicationError) -> [StoredToken] {
        let principal = caller.principal
        try principal.requireUser(to: "list tokens")
        let owner = principal.administersEverything ? nil : principal.name
        return try ApplicationError.translating {
            try self.store.read { try $0.tokens.unrevokedTokens(owner: owner) }
        }
    }
}

import Domain

/// A web UI session as the store keeps it: never its secret, only the secret's SHA-256, and never
/// grants (they are looked up again every time the session is resumed).
public struct StoredSession: Equatable, Sendable {
    /// Who signed in.
    public enum Holder: Equatable, Sendable {
        /// A configured user, by name (with a password or a client certificate).
        case user(name: String)
        /// An API token, by id, and the user it acts for.
        case token(id: String, owner: String)

        /// The user the session is recorded under: the user, or the token's owner.
        public var userName: String {
            switch self {
            case .user(let name): name
            case .token(_, let owner): owner
            }
        }
    }

    /// The SHA-256 of the secret in the session's cookie.
    public let secretHash: [UInt8]
    /// Who signed in.
    public let holder: Holder
    /// When the session started.
    public let createdAt: Timestamp
    /// When it stops being accepted.
    public let expiresAt: Timestamp
    /// The client's address at sign-in.
    public let address: String?

    /// Creates a record.
    public init(
        secretHash: [UInt8], holder: Holder, createdAt: Timestamp, expiresAt: Timestamp, address: String?
    ) {
        self.secretHash = secretHash
        self.holder = holder
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.address = address
    }
}

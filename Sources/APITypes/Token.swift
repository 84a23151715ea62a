/// An API token as listed: never its secret.
public struct Token: Codable, Equatable, Sendable {
    /// The id to revoke it by (`tok_…`).
    public var id: String
    /// Its name, unique among its owner's live tokens.
    public var name: String
    /// The user it acts for; requests with it are recorded as `token:<owner>/<name>`.
    public var owner: String
    /// State-name prefix (or `*`) to `read`, `write` or `admin`.
    public var grants: [String: String]
    /// When it was created.
    public var createdAt: String
    /// When it stops being accepted.
    public var expiresAt: String
    /// When a server last accepted it (recorded at most once a minute per server).
    @Nullable public var lastUsedAt: String?
    /// When it was revoked (only in the answer to a revocation).
    @Nullable public var revokedAt: String?
    /// An S3 key's access key id (`SHAK…`); `null` for a bearer token.
    @Nullable public var accessKeyID: String?

    private enum CodingKeys: String, CodingKey {
        case id, name, owner, grants
        case createdAt = "created_at"
        case expiresAt = "expires_at"
        case lastUsedAt = "last_used_at"
        case revokedAt = "revoked_at"
        case accessKeyID = "access_key_id"
    }

    /// Creates a token document.
    public init(
        id: String, name: String, owner: String, grants: [String: String], createdAt: String, expiresAt: String,
        lastUsedAt: String?, revokedAt: String?, accessKeyID: String? = nil
    ) {
        self.id = id
        self.name = name
        self.owner = owner
        self.grants = grants
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
        self.accessKeyID = accessKeyID
    }
}

/// `GET /api/v1/tokens`: the caller's unrevoked tokens (every user's for an admin on `*`),
/// expired ones included, by owner then name.
public struct TokenList: Codable, Equatable, Sendable {
    /// The tokens.
    public var tokens: [Token]

    /// Creates a listing.
    public init(tokens: [Token]) {
        self.tokens = tokens
    }
}

/// `POST /api/v1/tokens` answered 201: the secret, shown this once, and the token.
public struct CreatedToken: Codable, Equatable, Sendable {
    /// A bearer token's secret (`sht_…`): send it as a Bearer token or as a Basic password with any
    /// user name; `null` for an S3 key.
    @Nullable public var token: String?
    /// The id to revoke it by.
    public var id: String
    /// The token as listed.
    public var details: Token
    /// An S3 key's access key id (`AWS_ACCESS_KEY_ID`); `null` for a bearer token.
    @Nullable public var accessKeyID: String?
    /// An S3 key's secret access key (`AWS_SECRET_ACCESS_KEY`); `null` for a bearer token.
    @Nullable public var secretAccessKey: String?

    private enum CodingKeys: String, CodingKey {
        case token, id, details
        case accessKeyID = "access_key_id"
        case secretAccessKey = "secret_access_key"
    }

    /// The answer for a bearer token.
    public init(token: String, details: Token) {
        self.token = token
        self.id = details.id
        self.details = details
    }

    /// The answer for an S3 key.
    public init(accessKeyID: String, secretAccessKey: String, details: Token) {
        self.id = details.id
        self.details = details
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
    }
}

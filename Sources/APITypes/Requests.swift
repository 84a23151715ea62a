/// A management request body: a JSON object whose members are the coding keys, each optional
/// unless the type says otherwise.
public protocol APIRequest: Codable, Sendable {
    /// The members the body may have; any other is refused.
    static var members: [String] { get }
}

/// `DELETE /api/v1/states/{name}/lock`.
public struct ForceUnlockRequest: APIRequest, Equatable {
    /// The lock ID expected to be held; another lock held is 409.
    public var id: String?
    /// Recorded in the audit log.
    public var reason: String?

    /// The members the body may have.
    public static let members = ["id", "reason"]

    /// Creates a request.
    public init(id: String? = nil, reason: String? = nil) {
        self.id = id
        self.reason = reason
    }
}

/// `DELETE /api/v1/states/{name}/versions/{n}`.
public struct PurgeRequest: APIRequest, Equatable {
    /// Recorded in the audit log.
    public var reason: String?

    /// The members the body may have.
    public static let members = ["reason"]

    /// Creates a request.
    public init(reason: String? = nil) {
        self.reason = reason
    }
}

/// `POST /api/v1/states/{name}/rollback`.
public struct RollbackRequest: APIRequest, Equatable {
    /// The version whose content to write again.
    public var version: Int64
    /// Recorded in the audit log.
    public var reason: String?

    /// The members the body may have.
    public static let members = ["version", "reason"]

    /// Creates a request.
    public init(version: Int64, reason: String? = nil) {
        self.version = version
        self.reason = reason
    }
}

/// `POST /api/v1/states/{name}/restore`.
public struct RestoreRequest: APIRequest, Equatable {
    /// The state id from the deleted listing; default: the most recently deleted.
    public var id: Int64?

    /// The members the body may have.
    public static let members = ["id"]

    /// Creates a request.
    public init(id: Int64? = nil) {
        self.id = id
    }
}

/// `POST /api/v1/tokens`.
public struct CreateTokenRequest: APIRequest, Equatable {
    /// Unique among the caller's live tokens: 1 to 64 letters, digits, `.`, `_` or `-`.
    public var name: String
    /// State-name prefix (or `*`) to `read`, `write` or `admin`; each within the caller's own.
    public var grants: [String: String]
    /// How long the token lives: `30d`, `12h`, `90m` or seconds; the server's default when absent.
    public var expiresIn: String?
    /// `true` for an S3 key: an access key id and a secret access key that sign requests to the
    /// S3 endpoint, instead of a bearer secret.
    public var s3: Bool?

    /// The members the body may have.
    public static let members = ["name", "grants", "expires_in", "s3"]

    private enum CodingKeys: String, CodingKey {
        case name, grants, s3
        case expiresIn = "expires_in"
    }

    /// Creates a request.
    public init(name: String, grants: [String: String], expiresIn: String? = nil, s3: Bool? = nil) {
        self.name = name
        self.grants = grants
        self.expiresIn = expiresIn
        self.s3 = s3
    }
}

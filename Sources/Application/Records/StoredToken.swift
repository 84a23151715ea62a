import Domain
import SystemSupport

/// An API token as the store keeps it: never its secret, only the secret's SHA-256 — except an
/// S3 key's secret access key, which signatures are checked with, kept in `s3` (sealed with the key
/// ring when one is configured).
public struct StoredToken: Equatable, Sendable {
    /// The token's public id (`tok_…`), for listing and revoking.
    public let id: String
    /// Its name, unique among its owner's live tokens.
    public let name: String
    /// The user who created it and for whom it acts.
    public let owner: String
    /// What it may do (further capped by its owner's grants when it is used).
    public let grants: [Grant]
    /// The SHA-256 of the secret.
    public let secretHash: [UInt8]
    /// When it was created.
    public let createdAt: Timestamp
    /// When it stops being accepted.
    public let expiresAt: Timestamp
    /// When it was last accepted (recorded at most once a minute per server).
    public let lastUsedAt: Timestamp?
    /// When it was revoked, if it was.
    public let revokedAt: Timestamp?
    /// Its access key id and secret when it is an S3 key.
    public let s3: S3KeyMaterial?

    /// Creates a record.
    public init(
        id: String, name: String, owner: String, grants: [Grant], secretHash: [UInt8], createdAt: Timestamp,
        expiresAt: Timestamp, lastUsedAt: Timestamp? = nil, revokedAt: Timestamp? = nil, s3: S3KeyMaterial? = nil
    ) {
        self.id = id
        self.name = name
        self.owner = owner
        self.grants = grants
        self.secretHash = secretHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
        self.s3 = s3
    }

    /// The same token with these times of last use and revocation.
    public func with(lastUsedAt: Timestamp?, revokedAt: Timestamp?) -> StoredToken {
        StoredToken(
            id: self.id, name: self.name, owner: self.owner, grants: self.grants, secretHash: self.secretHash,
            createdAt: self.createdAt, expiresAt: self.expiresAt, lastUsedAt: lastUsedAt, revokedAt: revokedAt,
            s3: self.s3)
    }

    /// The same token with this S3 key material.
    public func with(s3: S3KeyMaterial?) -> StoredToken {
        StoredToken(
            id: self.id, name: self.name, owner: self.owner, grants: self.grants, secretHash: self.secretHash,
            createdAt: self.createdAt, expiresAt: self.expiresAt, lastUsedAt: self.lastUsedAt,
            revokedAt: self.revokedAt, s3: s3)
    }

    /// Whether it is accepted at `now`: neither revoked nor expired.
    public func isLive(at now: Timestamp) -> Bool {
        self.revokedAt == nil && now < self.expiresAt
    }

    /// The name its principal is recorded under: `token:<owner>/<name>`.
    public var principalName: String { "token:\(self.owner)/\(self.name)" }
}

/// What makes a token an S3 key: its access key id and its secret access key as stored, either
/// plain (marked so) or sealed with a key of the key ring (docs/configuration.md, encryption).
public struct S3KeyMaterial: Equatable, Sendable {
    /// `SHAK` and 16 base32 characters.
    public let accessKeyID: String
    /// The secret as stored: `SealedSecret`'s plain or sealed form.
    public let storedSecret: [UInt8]

    /// Material as a store returns it.
    public init(accessKeyID: String, storedSecret: [UInt8]) {
        self.accessKeyID = accessKeyID
        self.storedSecret = storedSecret
    }

    /// Material holding `secret` plain.
    public init(accessKeyID: String, secret: String) {
        self.init(accessKeyID: accessKeyID, storedSecret: SealedSecret.plain(secret))
    }

    /// The secret, when it is stored plain (or was opened); `nil` while it is sealed.
    public var secret: String? { SealedSecret.plainSecret(self.storedSecret) }

    /// Whether the secret is sealed.
    public var isSealed: Bool { SealedSecret.isSealed(self.storedSecret) }
}

extension StoredToken {
    /// The grants as a JSON object (`{"team/app":"write"}`), the form stores keep them in.
    public var grantsJSON: String {
        "{" + self.grants.map { "\(jsonStringLiteral($0.prefix)):\"\($0.access)\"" }.joined(separator: ",") + "}"
    }

    /// Grants from a stored JSON object, by prefix.
    public static func grants(fromJSON text: String) throws -> [Grant] {
        guard case .object(let members) = try? JSONValue(parsing: Array(text.utf8)) else {
            throw StoreError(.fault, "stored token grants are not a JSON object")
        }
        return try members.sorted { $0.key < $1.key }.map { prefix, level in
            guard let access = Access(level: level.stringValue) else {
                throw StoreError(.fault, "stored token grant on \(prefix) has no valid level")
            }
            return Grant(prefix: prefix, access: access)
        }
    }
}

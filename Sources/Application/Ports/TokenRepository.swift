import Domain

/// API tokens: created and revoked at run time, looked up by the SHA-256 of their secret.
public protocol TokenRepository {
    /// Stores a new token.
    func insert(_ token: StoredToken) throws

    /// The token whose secret has this SHA-256, revoked and expired ones included.
    func token(secretHash: [UInt8]) throws -> StoredToken?

    /// The S3 key with this access key id, revoked and expired ones included.
    func token(accessKeyID: String) throws -> StoredToken?

    /// The token with this id, revoked and expired ones included.
    func token(id: String) throws -> StoredToken?

    /// The tokens not revoked, of `owner` (every owner's when `nil`), by owner then name.
    func unrevokedTokens(owner: String?) throws -> [StoredToken]

    /// Marks the token revoked at `at`; whether this did it (`false`: already revoked, or no such
    /// token). Of two revocations racing, one wins.
    @discardableResult
    func revoke(id: String, at: Timestamp) throws -> Bool

    /// Replaces the stored secret of S3 key `id` (rekey re-seals it).
    func replaceS3Secret(id: String, storedSecret: [UInt8]) throws

    /// Records that the token was accepted at `at` (unless a later use is recorded already).
    func markUsed(id: String, at: Timestamp) throws
}

import Application
import Domain

/// API tokens in a SQL store's `api_tokens` table.
struct SQLTokenRepository: TokenRepository {
    let connection: any SQLConnection
    let dialect: SQLDialect

    private static let columns =
        "id, name, owner, grants, secret_sha256, created_at, expires_at, last_used_at, revoked_at, s3_access_key_id, "
        + "s3_secret"

    func insert(_ token: StoredToken) throws {
        try self.connection.query(
            """
            INSERT INTO api_tokens (\(Self.columns))
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            """,
            [
                .text(token.id), .text(token.name), .text(token.owner), .text(token.grantsJSON),
                .bytes(token.secretHash), .timestamp(token.createdAt), .timestamp(token.expiresAt),
                token.lastUsedAt.sqlValue(SQLValue.timestamp), token.revokedAt.sqlValue(SQLValue.timestamp),
                token.s3.map { .text($0.accessKeyID) } ?? .null, token.s3.map { .bytes($0.storedSecret) } ?? .null,
            ])
    }

    func token(secretHash: [UInt8]) throws -> StoredToken? {
        try self.connection.rows(
            "SELECT \(Self.columns) FROM api_tokens WHERE secret_sha256 = $1", [.bytes(secretHash)], Self.token
        ).first
    }

    func token(accessKeyID: String) throws -> StoredToken? {
        try self.connection.rows(
            "SELECT \(Self.columns) FROM api_tokens WHERE s3_access_key_id = $1", [.text(accessKeyID)], Self.token
        ).first
    }

    func token(id: String) throws -> StoredToken? {
        try self.connection.rows("SELECT \(Self.columns) FROM api_tokens WHERE id = $1", [.text(id)], Self.token)
            .first
    }

    func unrevokedTokens(owner: String?) throws -> [StoredToken] {
        let order = "ORDER BY owner\(self.dialect.bytewise), name\(self.dialect.bytewise)"
        guard let owner else {
            return try self.connection.rows(
                "SELECT \(Self.columns) FROM api_tokens WHERE revoked_at IS NULL \(order)", [], Self.token)
        }
        return try self.connection.rows(
            "SELECT \(Self.columns) FROM api_tokens WHERE revoked_at IS NULL AND owner = $1 \(order)",
            [.text(owner)], Self.token)
    }

    func revoke(id: String, at: Timestamp) throws -> Bool {
        // PostgreSQL: a racing revocation waits for this row's lock, then matches nothing.
        try !self.connection.rows(
            "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id",
            [.text(id), .timestamp(at)]
        ) { _ in () }.isEmpty
    }

    func replaceS3Secret(id: String, storedSecret: [UInt8]) throws {
        try self.connection.query(
            "UPDATE api_tokens SET s3_secret = $2 WHERE id = $1 AND s3_secret IS NOT NULL",
            [.text(id), .bytes(storedSecret)])
    }

    func markUsed(id: String, at: Timestamp) throws {
        try self.connection.query(
            "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)",
            [.text(id), .timestamp(at)])
    }

    private static func token(_ row: any SQLRow) throws -> StoredToken {
        StoredToken(
            id: row.text(0), name: row.text(1), owner: row.text(2),
            grants: try StoredToken.grants(fromJSON: row.text(3)),
            secretHash: row.bytes(4), createdAt: row.timestamp(5), expiresAt: row.timestamp(6),
            lastUsedAt: row.optionalTimestamp(7), revokedAt: row.optionalTimestamp(8),
            s3: row.isNull(9) ? nil : S3KeyMaterial(accessKeyID: row.text(9), storedSecret: row.bytes(10)))
    }
}

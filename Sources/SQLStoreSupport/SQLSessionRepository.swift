import Application
import Domain

/// Web UI sessions in a SQL store's `web_sessions` table: `holder_kind` is `user` or `token`,
/// `holder_key` the user's name or the token's id, `user_name` the user or the token's owner.
struct SQLSessionRepository: SessionRepository {
    let connection: any SQLConnection

    private static let columns = "secret_sha256, holder_kind, holder_key, user_name, created_at, expires_at, address"

    func insert(_ session: StoredSession) throws {
        let (kind, key) = Self.kindAndKey(session.holder)
        try self.connection.query(
            "INSERT INTO web_sessions (\(Self.columns)) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [
                .bytes(session.secretHash), .text(kind), .text(key), .text(session.holder.userName),
                .timestamp(session.createdAt), .timestamp(session.expiresAt), session.address.sqlValue(SQLValue.text),
            ])
    }

    func session(secretHash: [UInt8]) throws -> StoredSession? {
        try self.connection.rows(
            "SELECT \(Self.columns) FROM web_sessions WHERE secret_sha256 = $1", [.bytes(secretHash)], Self.session
        ).first
    }

    func sessions(of holder: StoredSession.Holder) throws -> [StoredSession] {
        let (kind, key) = Self.kindAndKey(holder)
        return try self.connection.rows(
            """
            SELECT \(Self.columns) FROM web_sessions WHERE holder_kind = $1 AND holder_key = $2
            ORDER BY created_at, secret_sha256
            """,
            [.text(kind), .text(key)], Self.session)
    }

    func delete(secretHash: [UInt8]) throws -> StoredSession? {
        try self.connection.rows(
            "DELETE FROM web_sessions WHERE secret_sha256 = $1 RETURNING \(Self.columns)", [.bytes(secretHash)],
            Self.session
        ).first
    }

    func deleteSessions(ofToken id: String) throws -> Int {
        try self.connection.rows(
            "DELETE FROM web_sessions WHERE holder_kind = 'token' AND holder_key = $1 RETURNING holder_key",
            [.text(id)]
        ) { _ in () }.count
    }

    func deleteExpired(at now: Timestamp, limit: Int) throws -> Int {
        try self.connection.rows(
            """
            DELETE FROM web_sessions WHERE secret_sha256 IN (
                SELECT secret_sha256 FROM web_sessions WHERE expires_at <= $1 LIMIT $2
            ) RETURNING holder_key
            """,
            [.timestamp(now), .int64(Int64(limit))]
        ) { _ in () }.count
    }

    private static func kindAndKey(_ holder: StoredSession.Holder) -> (String, String) {
        switch holder {
        case .user(let name): ("user", name)
        case .token(let id, _): ("token", id)
        }
    }

    private static func session(_ row: any SQLRow) throws -> StoredSession {
        let holder: StoredSession.Holder
        switch row.text(1) {
        case "user": holder = .user(name: row.text(2))
        case "token": holder = .token(id: row.text(2), owner: row.text(3))
        case let kind: throw StoreError(.fault, "stored session has an unknown holder kind \(kind)")
        }
        return StoredSession(
            secretHash: row.bytes(0), holder: holder, createdAt: row.timestamp(4), expiresAt: row.timestamp(5),
            address: row.optionalText(6))
    }
}

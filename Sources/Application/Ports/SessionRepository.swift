import Domain

/// Web UI sessions, looked up by the SHA-256 of their secret.
public protocol SessionRepository {
    /// Stores a new session.
    func insert(_ session: StoredSession) throws

    /// The session whose secret has this SHA-256, expired ones included.
    func session(secretHash: [UInt8]) throws -> StoredSession?

    /// The sessions of `holder`, oldest first.
    func sessions(of holder: StoredSession.Holder) throws -> [StoredSession]

    /// Removes the session whose secret has this SHA-256; the session removed, or `nil` when there
    /// was none.
    @discardableResult
    func delete(secretHash: [UInt8]) throws -> StoredSession?

    /// Removes every session of the API token `id`; how many there were.
    @discardableResult
    func deleteSessions(ofToken id: String) throws -> Int

    /// Removes at most `limit` sessions that expired at or before `now`; how many it removed.
    func deleteExpired(at now: Timestamp, limit: Int) throws -> Int
}

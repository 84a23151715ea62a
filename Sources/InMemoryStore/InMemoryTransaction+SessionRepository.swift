import Application
import Domain

/// Web UI sessions by the SHA-256 of their secret.
extension InMemoryTransaction: SessionRepository {
    func insert(_ session: StoredSession) throws {
        guard self.contents.sessions[session.secretHash] == nil else {
            throw StoreError(.fault, "a session with this secret exists")
        }
        self.contents.sessions[session.secretHash] = session
    }

    func session(secretHash: [UInt8]) throws -> StoredSession? {
        self.contents.sessions[secretHash]
    }

    func sessions(of holder: StoredSession.Holder) throws -> [StoredSession] {
        self.contents.sessions.values.filter { $0.holder == holder }.sorted {
            $0.createdAt != $1.createdAt
                ? $0.createdAt < $1.createdAt : $0.secretHash.lexicographicallyPrecedes($1.secretHash)
        }
    }

    func delete(secretHash: [UInt8]) throws -> StoredSession? {
        self.contents.sessions.removeValue(forKey: secretHash)
    }

    func deleteSessions(ofToken id: String) throws -> Int {
        let ended = self.contents.sessions.values.filter {
            if case .token(id, _) = $0.holder { true } else { false }
        }
        for session in ended { self.contents.sessions[session.secretHash] = nil }
        return ended.count
    }

    func deleteExpired(at now: Timestamp, limit: Int) throws -> Int {
        let expired = self.contents.sessions.values.filter { $0.expiresAt <= now }.prefix(limit)
        for session in expired { self.contents.sessions[session.secretHash] = nil }
        return expired.count
    }
}

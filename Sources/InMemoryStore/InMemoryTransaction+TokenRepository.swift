import Application
import Domain

/// API tokens by id.
extension InMemoryTransaction: TokenRepository {
    func insert(_ token: StoredToken) throws {
        if self.contents.tokens[token.id] != nil
            || self.contents.tokens.values.contains(where: {
                $0.owner == token.owner && $0.name == token.name && $0.revokedAt == nil
            })
        {
            throw StoreError(.fault, "token \(token.id) or an unrevoked \(token.owner)/\(token.name) exists")
        }
        self.contents.tokens[token.id] = token
    }

    func token(secretHash: [UInt8]) throws -> StoredToken? {
        self.contents.tokens.values.first { $0.secretHash == secretHash }
    }

    func token(id: String) throws -> StoredToken? {
        self.contents.tokens[id]
    }

    func unrevokedTokens(owner: String?) throws -> [StoredToken] {
        self.contents.tokens.values
            .filter { $0.revokedAt == nil && owner.map($0.owner.elementsEqual) ?? true }
            .sorted { ($0.owner, $0.name) < ($1.owner, $1.name) }
    }

    func revoke(id: String, at: Timestamp) throws -> Bool {
        guard let token = self.contents.tokens[id], token.revokedAt == nil else { return false }
        self.contents.tokens[id] = token.with(lastUsedAt: token.lastUsedAt, revokedAt: at)
        return true
    }

    func markUsed(id: String, at: Timestamp) throws {
        guard let token = self.contents.tokens[id], token.lastUsedAt.map({ $0 < at }) ?? true else { return }
        self.contents.tokens[id] = token.with(lastUsedAt: at, revokedAt: token.revokedAt)
    }
}

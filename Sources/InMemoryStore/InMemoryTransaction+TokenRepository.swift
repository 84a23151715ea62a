import Application
import Domain

/// API tokens by id.
extension InMemoryTransaction: TokenRepository {
    func insert(_ token: StoredToken) throws {
        if self.contents.tokens[token.id] != nil
            || self.contents.tokens.values.contains(where: {
                $0.owner == token.owner && $0.name == token.name && $0.revokedAt == nil
                    || token.s3 != nil && $0.s3?.accessKeyID == token.s3?.accessKeyID
            })
        {
            throw StoreError(
                .fault, "token \(token.id), an unrevoked \(token.owner)/\(token.name) or its access key id exists")
        }
        self.contents.tokens[token.id] = token
    }

    func token(secretHash: [UInt8]) throws -> StoredToken? {
        self.contents.tokens.values.first { $0.secretHash == secretHash }
    }

    func token(accessKeyID: String) throws -> StoredToken? {
        self.contents.tokens.values.first { $0.s3?.accessKeyID == accessKeyID }
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

    func replaceS3Secret(id: String, storedSecret: [UInt8]) throws {
        guard let token = self.contents.tokens[id], let s3 = token.s3 else { return }
        self.contents.tokens[id] = token.with(
            s3: S3KeyMaterial(accessKeyID: s3.accessKeyID, storedSecret: storedSecret))
    }

    func markUsed(id: String, at: Timestamp) throws {
        guard let token = self.contents.tokens[id], token.lastUsedAt.map({ $0 < at }) ?? true else { return }
        self.contents.tokens[id] = token.with(lastUsedAt: at, revokedAt: token.revokedAt)
    }
}

import Domain

/// An S3 key's credentials as the S3 adapter checks a signature with them.
public struct S3Credential: Sendable {
    /// The access key id (`SHAK…`).
    public let accessKeyID: String
    /// The secret access key, opened.
    public let secret: String
    /// Who the key acts as: `token:<owner>/<name>`, its grants capped by its owner's.
    public let principal: Principal
    /// The stored key, whose use `S3KeyVerifier.recordUse(of:)` records.
    let token: StoredToken
}

/// What the store says about an access key id.
public enum S3KeyCheck: Sendable {
    /// A live key of a configured user.
    case accepted(S3Credential)
    /// Unknown, revoked or expired, or its owner is no longer a user.
    case rejected
    /// The store did not answer, or the secret did not open (a key missing from the key ring):
    /// why, without any secret.
    case unavailable(String)
}

/// Looks S3 keys up by access key id on every request, so a revocation on any server is seen at
/// once, as `TokenVerifier` does for bearer tokens (whose rules of liveness, owner and grants it
/// shares, and whose "last used" bookkeeping). An id without the `SHAK` shape is refused without
/// a lookup.
public final class S3KeyVerifier: Sendable {
    private let store: any UnitOfWork
    private let clock: any WallClock
    private let tokens: TokenVerifier

    /// A verifier over `store`; `ownerGrants` gives a configured user's current grants, or `nil`
    /// for a name that is not a user.
    public init(store: any UnitOfWork, clock: any WallClock, ownerGrants: @escaping @Sendable (String) -> [Grant]?) {
        self.store = store
        self.clock = clock
        self.tokens = TokenVerifier(store: store, clock: clock, ownerGrants: ownerGrants)
    }

    /// The key's secret and principal when `accessKeyID` is a live S3 key of a configured user:
    /// one store read. Its use is recorded by `recordUse(of:)` once the signature holds.
    public func credential(accessKeyID: String) -> S3KeyCheck {
        guard S3Secret.isAccessKeyID(accessKeyID) else { return .rejected }
        let found: StoredToken?
        do {
            found = try self.store.read { try $0.tokens.token(accessKeyID: accessKeyID) }
        } catch let error as StoreError where error.kind == .fault {
            return .unavailable("S3 key \(accessKeyID) cannot be used: \(error.message)")
        } catch {
            return .unavailable("the store does not answer")
        }
        let now = self.clock.now()
        guard let token = found, let material = token.s3, let principal = self.tokens.principal(of: token, at: now)
        else { return .rejected }
        guard let secret = material.secret else {
            return .unavailable("the secret of S3 key \(accessKeyID) is encrypted and no key ring opens it")
        }
        return .accepted(S3Credential(accessKeyID: accessKeyID, secret: secret, principal: principal, token: token))
    }

    /// Records that `credential` signed a request whose signature held (at most once a minute per
    /// key and process, as for API tokens). Not on lookup: an access key id is no secret, and a
    /// request with a wrong signature must not make a dead key look used.
    public func recordUse(of credential: S3Credential) {
        self.tokens.recordUse(of: credential.token, at: self.clock.now())
    }
}

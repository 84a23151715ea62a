import Domain
import Synchronization

/// Checks API tokens (`sht_…`) against the store on every request, so a revocation on any server
/// is seen at once by all of them. A secret with a bad checksum is refused without a lookup; a
/// store that cannot answer makes the check `unavailable` (503), never a 401.
///
/// The principal acts for the token's owner: named `token:<owner>/<name>`, with the token's
/// grants capped by what the owner may do now (a token whose owner is no longer configured is
/// refused).
public final class TokenVerifier: SecretVerifier {
    /// How often a token's "last used" time is written, at most, by one process.
    static let lastUsedInterval: Int64 = 60_000_000

    private let store: any UnitOfWork
    private let clock: any WallClock
    private let ownerGrants: @Sendable (String) -> [Grant]?
    /// When this process last wrote each token's "last used" time.
    private let lastWritten = Mutex<[String: Timestamp]>([:])

    /// Tokens whose last write is remembered before the ones older than the interval are dropped.
    private let maxRemembered: Int

    /// A verifier over `store`; `ownerGrants` gives a configured user's current grants, or `nil`
    /// for a name that is not a user. It remembers when it last wrote "last used" for up to
    /// `maxRemembered` tokens before it drops those written more than the interval ago.
    public init(
        store: any UnitOfWork, clock: any WallClock, maxRemembered: Int = 10_000,
        ownerGrants: @escaping @Sendable (String) -> [Grant]?
    ) {
        self.maxRemembered = maxRemembered
        self.store = store
        self.clock = clock
        self.ownerGrants = ownerGrants
    }

    /// A token that is not valid counts as a failed token login.
    public let loginKind = LoginKind.token

    /// How many tokens' last writes this process remembers (for tests).
    package var rememberedWrites: Int { self.lastWritten.withLock { $0.count } }

    /// Whether `secret` starts with `sht_`.
    public func recognizes(_ secret: String) -> Bool { TokenSecret.hasPrefix(secret) }

    /// The token's principal when `secret` is a live token's of a configured user.
    public func verify(secret: String) -> CredentialCheck {
        guard TokenSecret.isWellFormed(secret) else { return .rejected }
        let hash = TokenSecret.hash(secret)
        let found: StoredToken?
        do {
            found = try self.store.read { try $0.tokens.token(secretHash: hash) }
        } catch {
            return .unavailable("the store does not answer")
        }
        let now = self.clock.now()
        // An S3 key signs requests; its secret is never a bearer token.
        guard let token = found, token.s3 == nil, let principal = self.principal(of: token, at: now) else {
            return .rejected
        }
        self.recordUse(of: token, at: now)
        return .accepted(principal)
    }

    /// The principal `token` acts as at `now`: its grants capped by its owner's current ones;
    /// `nil` when it is revoked or expired or its owner is not a configured user.
    public func principal(of token: StoredToken, at now: Timestamp) -> Principal? {
        guard token.isLive(at: now), let owner = self.ownerGrants(token.owner) else { return nil }
        let grants = token.grants.flatMap { grant in owner.compactMap { grant.intersection($0) } }
        return Principal(name: token.principalName, grants: grants, identity: .token(id: token.id, owner: token.owner))
    }

    /// Writes the "last used" time unless this process did so for the token within the interval.
    /// A failed write is not the request's failure: the next use after the interval tries again.
    func recordUse(of token: StoredToken, at now: Timestamp) {
        let due = self.lastWritten.withLock { written in
            if let last = written[token.id], now.microseconds - last.microseconds < Self.lastUsedInterval {
                return false
            }
            // Tokens last written more than the interval ago need no entry: keep the map to those
            // used within it, however many tokens come and go.
            if written.count >= self.maxRemembered {
                written = written.filter { now.microseconds - $0.value.microseconds < Self.lastUsedInterval }
            }
            written[token.id] = now
            return true
        }
        guard due else { return }
        _ = try? self.store.transaction { try $0.tokens.markUsed(id: token.id, at: now) }
    }
}

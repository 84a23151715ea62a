import Application
internal import Crypto
import Domain
import Logging
internal import SystemSupport

/// Logs workloads in with their platform's OIDC ID token (a JWT), sent as a Bearer token or as
/// the Basic password: checks its signature with the issuer's keys (RS256, ES256 and the other
/// RSA and EC algorithms; never `none` or HMAC), that `iss` is a configured issuer, that `aud`
/// contains its audience and that `exp` and `nbf` allow now (60 s leeway). The principal is
/// `oidc:<issuer host>:<sub>` with the union of the grants of the issuer's rules its claims
/// match, which may be none (then every request gets 403).
public final class IDTokenVerifier: SecretVerifier {
    /// How far `exp` and `nbf` may be off, for clocks that disagree.
    public static let leeway = Duration.seconds(60)

    private let issuers: [String: IssuerKeys]
    private let clock: any WallClock
    private let logger: Logger
    private let verified: VerifiedTokens

    /// A verifier of tokens from `issuers`. Keys from a `jwks_file` are read now (an error names
    /// the file); discovered keys are fetched by ``prefetch()`` or on first use, and again on an
    /// unknown `kid` at most once per `refreshInterval`. Verified tokens are remembered until they
    /// expire, `cacheCapacity` at most.
    public init(
        issuers: [OIDCIssuer], clock: any WallClock, logger: Logger, refreshInterval: Duration = .seconds(60),
        cacheCapacity: Int = 10_000
    ) throws(KeyFetchError) {
        var byName: [String: IssuerKeys] = [:]
        for issuer in issuers {
            byName[issuer.issuer] = try IssuerKeys(
                issuer: issuer, refreshInterval: refreshInterval, logger: logger, now: clock.now())
        }
        self.issuers = byName
        self.clock = clock
        self.logger = logger
        self.verified = VerifiedTokens(capacity: cacheCapacity)
    }

    /// Fetches the keys of every issuer whose keys were never fetched; an issuer that cannot be
    /// reached is logged and tried again when a token needs its keys. Blocks while fetching: run it
    /// on a thread of its own at startup.
    public func prefetch() {
        for keys in self.issuers.values { keys.prefetch(now: self.clock.now()) }
    }

    /// OIDC logins, as the login throttle counts their failures.
    public let loginKind = LoginKind.oidc

    /// Whether `secret` looks like a JWT.
    public func recognizes(_ secret: String) -> Bool { IDToken.looksLike(secret) }

    /// The workload that `secret` proves, or why not.
    public func verify(secret: String) -> CredentialCheck {
        let now = self.clock.now()
        let digest = SHA256.hash(data: Array(secret.utf8))
        if let principal = self.verified.principal(for: digest, now: now) { return .accepted(principal) }
        let token = IDToken(secret)
        do throws(Refusal) {
            guard let token else { throw Refusal("not a JWT") }
            let (principal, expires) = try self.check(token, now: now)
            self.verified.remember(principal, for: digest, expires: expires, now: now)
            return .accepted(principal)
        } catch {
            let issuer = token?.claims["iss"]?.stringValue
            self.logger.log(
                level: issuer.map { self.issuers[$0] != nil } == true ? .info : .debug, "OIDC token refused",
                metadata: [
                    "oidc.issuer": .string(String((issuer ?? "-").prefix(200))),
                    "oidc.kid": .string(String((token?.header["kid"]?.stringValue ?? "-").prefix(100))),
                    "oidc.reason": .string(error.reason),
                ])
            return error.busy ? .unavailable("the issuer's keys cannot be fetched now") : .rejected
        }
    }

    /// The principal of a token and until when it is valid (`exp` and the leeway), or why it is refused.
    private func check(_ token: IDToken, now: Timestamp) throws(Refusal) -> (Principal, expires: Timestamp) {
        guard let issuer = token.claims["iss"]?.stringValue, let keys = self.issuers[issuer] else {
            throw Refusal("not from a configured issuer")
        }
        let algorithm = token.header["alg"]?.stringValue ?? "-"
        guard SigningKeys.algorithms.contains(algorithm) else { throw Refusal("algorithm \(algorithm) not accepted") }
        guard let kid = token.header["kid"]?.stringValue else { throw Refusal("no kid in the header") }
        let key: SigningKeys.Key
        switch keys.key(kid, now: now) {
        case .key(let found): key = found
        case .unknown: throw Refusal("unknown kid")
        case .unavailable(let why): throw Refusal("the issuer's keys are unavailable: \(why)", busy: true)
        }
        guard key.algorithm == algorithm else {
            throw Refusal("algorithm \(algorithm) but the key is \(key.algorithm)")
        }
        guard (try? key.verifier.verify(token.signature, signs: token.signingInput)) == true else {
            throw Refusal("bad signature")
        }
        let audience = keys.issuer.audience
        let aud = token.claims["aud"]
        let audiences = aud?.arrayValue?.compactMap(\.stringValue) ?? aud?.stringValue.map { [$0] } ?? []
        guard audiences.contains(audience) else { throw Refusal("not for audience \(audience)") }
        let leeway = IDTokenVerifier.leeway.microseconds
        guard let expires = try token.time("exp") else { throw Refusal("no exp") }
        guard now.microseconds < expires.microseconds + leeway else { throw Refusal("expired at \(expires)") }
        if let notBefore = try token.time("nbf"), now.microseconds < notBefore.microseconds - leeway {
            throw Refusal("not valid before \(notBefore)")
        }
        guard let subject = token.claims["sub"]?.stringValue, !subject.isEmpty else { throw Refusal("no sub") }
        let claims = token.stringClaims
        let principal = Principal(
            name: "oidc:\(keys.issuer.host):\(subject)",
            grants: WorkloadRule.grants(for: claims, under: keys.issuer.rules),
            identity: .workload(issuer: issuer, claims: claims))
        return (principal, Timestamp(microseconds: expires.microseconds + leeway))
    }
}

/// Why a token is refused, for the log; `busy` when retrying later may help.
struct Refusal: Error {
    let reason: String
    let busy: Bool

    init(_ reason: String, busy: Bool = false) {
        self.reason = reason
        self.busy = busy
    }
}

import Domain

/// The outcome of checking credentials.
public enum CredentialCheck: Equatable, Sendable {
    /// The credentials are right.
    case accepted(Principal)
    /// Unknown user, wrong password, or a secret that is not (or no longer) valid.
    case rejected
    /// Too many verifications are running to check these in time; worth retrying.
    case busy
    /// What the credentials are checked against (the store, an issuer's keys) does not answer now;
    /// worth retrying. Says which, in words a client may read.
    case unavailable(String)
    /// Held back, unchecked, after repeated failed logins; worth retrying after that many seconds.
    case throttled(retryAfter: Int)
}

/// Checks the configured users' credentials: HTTP Basic, or a verified TLS client certificate.
public protocol CredentialVerifier: Sendable {
    /// Whether `password` is right for `username`.
    func verify(username: String, password: String) -> CredentialCheck

    /// The user, when `password` is the one this verifier last accepted for `username`: a cheap
    /// check (no password hashing), or `nil`.
    func remembered(username: String, password: String) -> Principal?

    /// The principal for a client certificate with this common name (already verified against
    /// the configured CA), or `nil`.
    func verify(certificateCommonName: String) -> Principal?

    /// The configured user `name` with their grants as they are now, or `nil` when no such user
    /// is configured (a web session resumed after sign-in).
    func principal(named name: String) -> Principal?
}

/// Checks a secret that stands on its own, sent as a Bearer token or as a Basic password with any
/// user name: an API token, a workload's OIDC ID token.
public protocol SecretVerifier: Sendable {
    /// Whether `secret` has the shape this verifier checks (a prefix, a JWT's three parts): cheap,
    /// and never a reason to refuse it.
    func recognizes(_ secret: String) -> Bool

    /// What a failure of this verifier counts as (`.token`, `.oidc`).
    var loginKind: LoginKind { get }

    /// Whether `secret` is valid now, and whose it is.
    func verify(secret: String) -> CredentialCheck
}

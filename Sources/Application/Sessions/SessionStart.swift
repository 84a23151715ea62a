/// The outcome of signing in to the web UI; like ``CredentialCheck``.
public enum SessionStart: Sendable, Equatable {
    /// Signed in: `secret` goes in the cookie (the store never holds it).
    case started(secret: String, session: WebSession)
    /// Unknown user, wrong password, a secret not (or no longer) valid, or a workload's ID token.
    case rejected
    /// Too many verifications are running to check the credentials in time; worth retrying.
    case busy
    /// The store or an issuer does not answer now; worth retrying. Says which.
    case unavailable(String)
    /// Held back, unchecked, after repeated failed logins; worth retrying after that many seconds.
    case throttled(retryAfter: Int)
}

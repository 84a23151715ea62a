import Domain

/// The outcome of checking a password.
public enum CredentialCheck: Equatable, Sendable {
    /// The credentials are right.
    case accepted(Principal)
    /// Unknown user or wrong password.
    case rejected
    /// Too many verifications are running to check these in time; worth retrying.
    case busy
}

/// Checks credentials: HTTP Basic, or a verified TLS client certificate.
public protocol CredentialVerifier: Sendable {
    /// Whether `password` is right for `username`.
    func verify(username: String, password: String) -> CredentialCheck

    /// The principal for a client certificate with this common name (already verified against
    /// the configured CA), or `nil`.
    func verify(certificateCommonName: String) -> Principal?
}

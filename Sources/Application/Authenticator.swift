import Domain

/// Credentials as a request presents them.
public enum PresentedCredentials: Equatable, Sendable {
    /// HTTP Basic: a configured user's password, or a secret (API or ID token) as the password.
    case basic(username: String, password: String)
    /// `Authorization: Bearer`: a secret.
    case bearer(String)
    /// A TLS client certificate the server verified, by its common name.
    case certificate(commonName: String)
}

/// Decides who a request is: routes the credentials to the verifier for their kind, and binds the
/// principal by the protected prefixes that do not admit it.
public final class Authenticator: Sendable {
    private let passwords: any CredentialVerifier
    private let secrets: [any SecretVerifier]
    private let protections: [ProtectedPrefix]

    /// An authenticator of the configured users (`passwords`), of the secrets one of `secrets`
    /// recognizes, under `protections`.
    public init(
        passwords: any CredentialVerifier, secrets: [any SecretVerifier] = [], protections: [ProtectedPrefix] = []
    ) {
        self.passwords = passwords
        self.secrets = secrets
        self.protections = protections
    }

    /// Who presents `credentials`.
    public func authenticate(_ credentials: PresentedCredentials) -> CredentialCheck {
        let check: CredentialCheck
        switch credentials {
        case .certificate(let commonName):
            check = self.passwords.verify(certificateCommonName: commonName).map { .accepted($0) } ?? .rejected
        case .basic(let username, let password):
            if let verifier = self.secrets.first(where: { $0.recognizes(password) }) {
                check = verifier.verify(secret: password)
            } else {
                check = self.passwords.verify(username: username, password: password)
            }
        case .bearer(let secret):
            check = self.secrets.first { $0.recognizes(secret) }?.verify(secret: secret) ?? .rejected
        }
        guard case .accepted(let principal) = check else { return check }
        return .accepted(principal.protected(by: self.protections))
    }
}

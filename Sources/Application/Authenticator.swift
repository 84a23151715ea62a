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
/// principal by the protected prefixes that do not admit it. With a throttle, a login its address
/// or user name has failed too often is held back before any verifier runs, and every rejection
/// is counted.
public final class Authenticator: Sendable {
    private let passwords: any CredentialVerifier
    private let tokens: TokenVerifier?
    private let secrets: [any SecretVerifier]
    private let protections: [ProtectedPrefix]
    private let throttle: LoginThrottle?

    /// An authenticator of the configured users (`passwords`), of API tokens (`tokens`), of the
    /// secrets one of `secrets` recognizes, under `protections`, holding back failing clients with
    /// `throttle`.
    public init(
        passwords: any CredentialVerifier, tokens: TokenVerifier? = nil, secrets: [any SecretVerifier] = [],
        protections: [ProtectedPrefix] = [], throttle: LoginThrottle? = nil
    ) {
        self.passwords = passwords
        self.tokens = tokens
        self.secrets = (tokens.map { [$0] } ?? []) + secrets
        self.protections = protections
        self.throttle = throttle
    }

    /// The configured user `name` as a login would make them now (current grants, bound by the
    /// protected prefixes), or `nil` when no such user is configured.
    public func user(named name: String) -> Principal? {
        self.passwords.principal(named: name)?.protected(by: self.protections)
    }

    /// The principal `token` acts as at `now`, as a login with its secret would make it, or `nil`
    /// when it is not live, its owner is gone, or this authenticator takes no API tokens.
    public func principal(of token: StoredToken, at now: Timestamp) -> Principal? {
        self.tokens?.principal(of: token, at: now)?.protected(by: self.protections)
    }

    /// `principal` bound by the protected prefixes, as every login's principal is: for a
    /// principal whose credentials an adapter checked itself (an S3 key's signature).
    public func protected(_ principal: Principal) -> Principal {
        principal.protected(by: self.protections)
    }

    /// Counts a failed login of `kind` from `address` that an adapter checked itself (an S3
    /// signature that does not hold, an unknown access key).
    public func recordFailure(_ kind: LoginKind, from address: String) {
        self.throttle?.fail(kind, address: address, user: nil)
    }

    /// Who presents `credentials`, from the client at `address`.
    public func authenticate(_ credentials: PresentedCredentials, from address: String) -> CredentialCheck {
        let check: CredentialCheck
        switch credentials {
        case .certificate(let commonName):
            // Verified by the TLS handshake already: nothing to guess, nothing to hold back.
            check = self.passwords.verify(certificateCommonName: commonName).map { .accepted($0) } ?? .rejected
            if check == .rejected { self.throttle?.fail(.certificate, address: address, user: nil) }
        case .basic(let username, let password):
            if let verifier = self.secrets.first(where: { $0.recognizes(password) }) {
                check = self.checked(verifier.loginKind, from: address) { verifier.verify(secret: password) }
            } else {
                check = self.checked(
                    .password, from: address, user: username,
                    remembered: { self.passwords.remembered(username: username, password: password) },
                    verify: { self.passwords.verify(username: username, password: password) })
            }
        case .bearer(let secret):
            let verifier = self.secrets.first { $0.recognizes(secret) }
            check = self.checked(verifier?.loginKind ?? .token, from: address) {
                verifier?.verify(secret: secret) ?? .rejected
            }
        }
        guard case .accepted(let principal) = check else { return check }
        return .accepted(principal.protected(by: self.protections))
    }

    /// `verify`'s answer, unless the throttle holds the login back first. The password its user
    /// last logged in with (`remembered`, a cheap check) passes unless the address is held back,
    /// and a password check (PBKDF2) takes one of the checks its address may have in progress.
    /// A token is never held back: it is looked up or its signature checked, not hashed 600,000
    /// times, and a guess at 256 random bits or a signature is hopeless however fast it comes; so
    /// one client failing behind a NAT does not hold back the CI jobs behind it. Its failures
    /// still count against the address's passwords.
    private func checked(
        _ kind: LoginKind, from address: String, user: String? = nil, remembered: () -> Principal? = { nil },
        verify: () -> CredentialCheck
    ) -> CredentialCheck {
        guard let throttle = self.throttle else { return verify() }
        guard kind == .password else {
            let check = verify()
            if check == .rejected { throttle.fail(kind, address: address, user: nil) }
            return check
        }
        let hold = throttle.hold(address: address, user: user)
        if hold == nil || hold?.reason == .user, let principal = remembered() { return .accepted(principal) }
        if let hold = hold ?? throttle.begin(address: address) {
            throttle.refuse(hold, address: address)
            return .throttled(retryAfter: hold.retryAfter)
        }
        let check = verify()
        throttle.finish(address: address, failed: check == .rejected ? kind : nil, user: user)
        return check
    }
}

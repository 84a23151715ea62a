import Domain

/// An OIDC issuer whose ID tokens log workloads in (`[[oidc_issuers]]`).
public struct OIDCIssuer: Equatable, Sendable {
    /// The issuer URL, exactly as the tokens' `iss` claim carries it: `https://token.actions.githubusercontent.com`.
    public let issuer: String
    /// The audience a token must be for (its `aud` claim contains it).
    public let audience: String
    /// A JWKS file to read the signing keys from instead of discovering them over HTTPS.
    public let jwksFile: String?
    /// A PEM file of the CAs to trust for the issuer's HTTPS; `nil` trusts the system's.
    public let caFile: String?
    /// What matching tokens may do.
    public let rules: [WorkloadRule]
    /// The host of the issuer URL, as principal names show it: `token.actions.githubusercontent.com`.
    public let host: String

    /// Creates an issuer.
    public init(issuer: String, audience: String, jwksFile: String?, caFile: String?, rules: [WorkloadRule]) {
        self.issuer = issuer
        self.audience = audience
        self.jwksFile = jwksFile
        self.caFile = caFile
        self.rules = rules
        self.host = (try? HTTPSLocation(issuer))?.host ?? issuer
    }
}

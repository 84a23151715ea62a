/// How long web UI sessions live, and how many one principal may have.
public struct SessionPolicy: Sendable, Equatable {
    /// How long a session lives from sign-in, however active (a token's session ends with the
    /// token at the latest).
    public var lifetime: Duration
    /// Sessions one principal may have; signing in past it ends that principal's oldest session.
    public var maxPerPrincipal: Int

    /// A policy.
    public init(lifetime: Duration, maxPerPrincipal: Int) {
        self.lifetime = lifetime
        self.maxPerPrincipal = maxPerPrincipal
    }

    /// Eight hours, 20 sessions a principal.
    public static let standard = SessionPolicy(lifetime: .seconds(8 * 3600), maxPerPrincipal: 20)
}

/// How long API tokens live: the lifetime a token gets when its creator names none, and the
/// longest one may ask for.
public struct TokenPolicy: Equatable, Sendable {
    /// Microseconds a token lives when no `expires_in` is given.
    public let defaultLifetime: Int64
    /// The most microseconds a token may live.
    public let maxLifetime: Int64

    /// A policy; `defaultLifetime` is capped at `maxLifetime`.
    public init(defaultLifetime: Int64, maxLifetime: Int64) {
        self.defaultLifetime = min(defaultLifetime, maxLifetime)
        self.maxLifetime = maxLifetime
    }

    /// 30 days by default, at most a year.
    public static let standard = TokenPolicy(defaultLifetime: 30 * 86_400_000_000, maxLifetime: 365 * 86_400_000_000)
}

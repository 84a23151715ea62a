import Crypto
import SystemSupport

/// The secret of a web UI session, kept in its cookie: `shs_`, 43 random base62 characters (256
/// bits) and a base62 CRC-32 of them, the shape of an API token's secret. The store keeps only its
/// SHA-256; the CSRF token of its forms is derived from it.
public enum SessionSecret {
    /// Every session secret starts with this.
    public static let prefix = "shs_"

    /// A new secret from the system's random generator.
    public static func generate() -> String { TokenSecret.generate(prefix: self.prefix) }

    /// Whether `secret` has the length, the alphabet and the checksum of a session's secret.
    public static func isWellFormed(_ secret: String) -> Bool { TokenSecret.isWellFormed(secret, prefix: self.prefix) }

    /// The SHA-256 of `secret`: what the store keeps and looks up.
    public static func hash(_ secret: String) -> [UInt8] { TokenSecret.hash(secret) }

    /// The CSRF token of the session with `secret`: the hex HMAC-SHA256 of a fixed label under the
    /// secret, so only the cookie's holder can compute it and no store holds it.
    public static func csrfToken(for secret: String) -> String {
        let key = SymmetricKey(data: Array(secret.utf8))
        return Hex.encode(Array(HMAC<SHA256>.authenticationCode(for: Array("statehouse csrf v1".utf8), using: key)))
    }
}

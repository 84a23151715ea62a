import Crypto
import Gzip

/// The shape of an API token's secret: `sht_`, 43 random base62 characters (256 bits) and a
/// 6-character base62 CRC-32 of them, like GitHub's tokens, so that a secret scanner, and the
/// server before any store lookup, can tell a well-formed secret from a typo.
public enum TokenSecret {
    /// Every secret starts with this.
    public static let prefix = "sht_"
    /// Random characters: 62^43 > 2^256.
    static let randomCharacters = 43
    /// Checksum characters: 62^6 > 2^32.
    static let checksumCharacters = 6
    /// The whole secret's length.
    static let length = prefix.utf8.count + randomCharacters + checksumCharacters

    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// A new secret from the system's random generator; other secrets of this shape (a web
    /// session's) start with another `prefix`.
    public static func generate(prefix: String = Self.prefix) -> String {
        var generator = SystemRandomNumberGenerator()
        return self.make(
            (0..<self.randomCharacters).map { _ in self.alphabet.randomElement(using: &generator)! }, prefix: prefix)
    }

    /// The secret for these random characters.
    static func make(_ random: [UInt8], prefix: String = Self.prefix) -> String {
        String(decoding: Array(prefix.utf8) + random + self.checksum(random), as: UTF8.self)
    }

    /// A short public id: `tok_` and 12 random base62 characters.
    public static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        return "tok_"
            + String(decoding: (0..<12).map { _ in self.alphabet.randomElement(using: &generator)! }, as: UTF8.self)
    }

    /// Whether `secret` starts like a token, whether or not the rest is right.
    public static func hasPrefix(_ secret: String) -> Bool { secret.hasPrefix(self.prefix) }

    /// Whether `secret` has the length, the alphabet and the checksum of a token's secret (of a
    /// secret of this shape starting with `prefix`, a 4-byte one).
    public static func isWellFormed(_ secret: String, prefix: String = Self.prefix) -> Bool {
        let bytes = Array(secret.utf8)
        guard bytes.count == self.length, prefix.utf8.count == self.prefix.utf8.count, secret.hasPrefix(prefix)
        else { return false }
        let body = bytes[prefix.utf8.count...]
        guard body.allSatisfy(self.isBase62) else { return false }
        let random = Array(body.prefix(self.randomCharacters))
        return Array(body.suffix(self.checksumCharacters)) == self.checksum(random)
    }

    /// The SHA-256 of `secret`: what the store keeps and looks up.
    public static func hash(_ secret: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(secret.utf8)))
    }

    /// The CRC-32 of `random` in 6 base62 characters, most significant first.
    private static func checksum(_ random: [UInt8]) -> [UInt8] {
        var value = UInt64(Gzip.crc32(random))
        var digits = [UInt8](repeating: self.alphabet[0], count: self.checksumCharacters)
        for index in digits.indices.reversed() {
            digits[index] = self.alphabet[Int(value % 62)]
            value /= 62
        }
        return digits
    }

    private static func isBase62(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "a")...UInt8(ascii: "z"):
            true
        default: false
        }
    }
}

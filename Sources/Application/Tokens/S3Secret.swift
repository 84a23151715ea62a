/// The shape of an S3 key's credentials: an access key id of `SHAK` and 16 random base32
/// characters (A-Z, 2-7; 80 bits), and a secret access key of 40 random base62 characters
/// (238 bits), the lengths AWS's own have.
public enum S3Secret {
    /// Every access key id starts with this.
    public static let accessKeyPrefix = "SHAK"
    /// Random characters of an access key id.
    static let accessKeyRandom = 16
    /// The secret's length.
    static let secretLength = 40

    private static let base32 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// A new access key id.
    public static func newAccessKeyID() -> String {
        var generator = SystemRandomNumberGenerator()
        return self.accessKeyPrefix
            + String(
                decoding: (0..<self.accessKeyRandom).map { _ in self.base32.randomElement(using: &generator)! },
                as: UTF8.self)
    }

    /// A new secret access key.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(
            decoding: (0..<self.secretLength).map { _ in TokenSecret.alphabet.randomElement(using: &generator)! },
            as: UTF8.self)
    }

    /// Whether `text` has the shape of an access key id, checked before any store lookup.
    public static func isAccessKeyID(_ text: String) -> Bool {
        text.utf8.count == self.accessKeyPrefix.utf8.count + self.accessKeyRandom
            && text.hasPrefix(self.accessKeyPrefix)
            && text.utf8.dropFirst(self.accessKeyPrefix.utf8.count).allSatisfy(self.base32.contains)
    }
}

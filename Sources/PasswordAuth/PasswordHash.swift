import Crypto
import CryptoExtras
import SystemSupport

/// PBKDF2-SHA256 password hashes in PHC string format:
/// `$pbkdf2-sha256$i=600000$<salt>$<hash>` (salt and hash in unpadded base64).
public enum PasswordHash {
    /// The iterations `statehouse hash-password` uses (OWASP's 2023 figure for PBKDF2-SHA256).
    public static let defaultIterations = 600_000
    private static let prefix = "$pbkdf2-sha256$i="

    /// Why a stored hash cannot be used.
    public struct FormatError: Error, Equatable, Sendable, CustomStringConvertible {
        /// What is wrong with it.
        public let description: String
    }

    /// A parsed hash.
    struct Parsed: Sendable {
        let iterations: Int
        let salt: [UInt8]
        let hash: [UInt8]
    }

    /// A new hash of `password` with a random 16-byte salt.
    public static func make(password: String, iterations: Int = defaultIterations) -> String {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let hash = derive(password: password, salt: salt, iterations: iterations)
        return "\(prefix)\(iterations)$\(Base64.encode(salt, padded: false))$\(Base64.encode(hash, padded: false))"
    }

    /// Parses a stored hash, saying what is wrong when it cannot be used.
    static func parse(_ encoded: String) throws(FormatError) -> Parsed {
        guard encoded.hasPrefix(prefix) else {
            throw FormatError(description: "not a $pbkdf2-sha256$ hash (make one with `statehouse hash-password`)")
        }
        let parts = encoded.dropFirst(prefix.count).split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 3, let iterations = Int(parts[0]), iterations >= 1000, iterations <= 10_000_000,
            let salt = Base64.decode(parts[1]), salt.count >= 8, let hash = Base64.decode(parts[2]), hash.count >= 16
        else {
            throw FormatError(description: "malformed $pbkdf2-sha256$ hash")
        }
        return Parsed(iterations: iterations, salt: salt, hash: hash)
    }

    /// Whether `password` matches `parsed`, compared in constant time.
    static func verify(password: String, against parsed: Parsed) -> Bool {
        let derived = derive(
            password: password, salt: parsed.salt, iterations: parsed.iterations, length: parsed.hash.count)
        return constantTimeEqual(derived, parsed.hash)
    }

    static func derive(password: String, salt: [UInt8], iterations: Int, length: Int = 32) -> [UInt8] {
        // Only fails for out-of-range parameters, which `parse` and `make` rule out.
        let key = try! KDF.Insecure.PBKDF2.deriveKey(
            from: Array(password.utf8), salt: salt, using: .sha256, outputByteCount: length,
            unsafeUncheckedRounds: iterations)
        return key.withUnsafeBytes { Array($0) }
    }
}

/// Compares two byte strings in time that depends only on their lengths.
func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    guard lhs.count == rhs.count else { return false }
    var difference: UInt8 = 0
    for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
    return difference == 0
}

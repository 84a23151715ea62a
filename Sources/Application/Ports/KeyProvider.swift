import Crypto

/// Where the keys that seal stored versions come from. The configured key ring implements it; a
/// KMS or Vault transit adapter can answer the same two questions (for example by unwrapping data
/// keys at startup) without any use case changing.
public protocol KeyProvider: Sendable {
    /// The key new versions are sealed with, or `nil` to store them unencrypted.
    func sealingKey() throws(StoreError) -> DataKey?

    /// The key called `id`, or `nil` when the provider does not have it (any more).
    func key(id: String) throws(StoreError) -> DataKey?
}

/// An AES-256 key and the id stored next to everything it seals.
public struct DataKey: Sendable {
    /// The id: 1 to 64 of `[A-Za-z0-9._-]`, such as `2026-12`.
    public let id: String
    /// The 32 bytes.
    public let key: SymmetricKey

    /// A key, if `id` is a valid id and `bytes` are 32 bytes.
    public init(id: String, bytes: [UInt8]) throws(KeyRingError) {
        guard DataKey.isValidID(id) else {
            throw KeyRingError("a key id must be 1 to 64 letters, digits, '.', '_' or '-'")
        }
        guard bytes.count == 32 else {
            throw KeyRingError("key \(id) is \(bytes.count) bytes; an AES-256 key is 32 (statehouse generate-key)")
        }
        self.id = id
        self.key = SymmetricKey(data: bytes)
    }

    /// Whether `id` can name a key.
    public static func isValidID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy {
                switch $0 {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                    true
                default: false
                }
            }
    }
}

/// A key ring that cannot be used; the message never contains key material.
public struct KeyRingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public let description: String

    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}

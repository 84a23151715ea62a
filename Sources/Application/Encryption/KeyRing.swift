import Crypto
import SystemSupport

/// The keys from configuration (`[encryption] keys`, `key_file`, `STATEHOUSE_ENCRYPTION_KEYS`):
/// the first seals new versions, every one opens what it sealed. Empty: versions are stored
/// unencrypted.
public struct KeyRing: KeyProvider {
    /// The keys, the sealing one first.
    public let keys: [DataKey]

    /// No keys: encryption off.
    public static let empty = KeyRing()

    private init() { self.keys = [] }

    /// A ring of `keys`, whose ids must differ.
    public init(_ keys: [DataKey]) throws(KeyRingError) {
        var seen = Set<String>()
        for key in keys where !seen.insert(key.id).inserted {
            throw KeyRingError("key id \(key.id) appears twice in the key ring")
        }
        self.keys = keys
    }

    /// A ring of `id:base64` entries, the sealing one first. Errors name the entry by its
    /// position and id, never by its key.
    public init(entries: [String]) throws(KeyRingError) {
        var keys: [DataKey] = []
        for (index, entry) in entries.enumerated() {
            keys.append(try DataKey(entry: entry, position: index + 1))
        }
        try self.init(keys)
    }

    /// The first key.
    public func sealingKey() -> DataKey? { self.keys.first }

    /// The key called `id`.
    public func key(id: String) -> DataKey? { self.keys.first { $0.id == id } }

    /// A new entry: an id from `id` and 32 random bytes in base64.
    public static func newEntry(id: String) -> String {
        let key = SymmetricKey(size: .bits256)
        return "\(id):" + key.withUnsafeBytes { Base64.encode(Array($0)) }
    }
}

extension DataKey {
    /// The key an `id:base64` entry gives; `position` (from 1) names it in errors.
    init(entry text: String, position: Int) throws(KeyRingError) {
        guard let colon = text.firstIndex(of: ":") else {
            throw KeyRingError("key \(position) is not written id:key (the key is the base64 of 32 random bytes)")
        }
        let id = String(text[..<colon])
        guard DataKey.isValidID(id) else {
            throw KeyRingError("key \(position) has an invalid id: use 1 to 64 letters, digits, '.', '_' or '-'")
        }
        guard let bytes = Base64.decode(text[text.index(after: colon)...]) else {
            throw KeyRingError("key \(position) (id \(id)) is not base64")
        }
        try self.init(id: id, bytes: bytes)
    }
}

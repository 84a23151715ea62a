import Crypto

/// How an S3 key's secret access key is stored, since signatures are checked with the secret
/// itself and a hash would not do:
///
///     plain:  "SHK" 0x00 | secret
///     sealed: "SHK" 0x01 | id length (1 byte) | key id | nonce (12) | ciphertext | tag (16)
///
/// Sealed with AES-256-GCM; the associated data is everything before the nonce, a 0 byte and the
/// access key id, so the key id cannot be changed and a sealed secret copied onto another key
/// does not open.
enum SealedSecret {
    private static let plainMagic: [UInt8] = [0x53, 0x48, 0x4B, 0x00]
    private static let sealedMagic: [UInt8] = [0x53, 0x48, 0x4B, 0x01]

    /// Why a sealed secret does not open.
    enum Failure: Error {
        /// It names a key the provider does not have.
        case unknownKey(String)
        /// The tag does not verify, or the framing is broken (`keyID` when it could be read).
        case notAuthentic(keyID: String?)
    }

    /// `secret` stored plain.
    static func plain(_ secret: String) -> [UInt8] { self.plainMagic + Array(secret.utf8) }

    /// The secret in `stored` when it is stored plain.
    static func plainSecret(_ stored: [UInt8]) -> String? {
        guard stored.starts(with: self.plainMagic) else { return nil }
        return String(validating: stored.dropFirst(self.plainMagic.count), as: UTF8.self)
    }

    /// Whether `stored` is sealed.
    static func isSealed(_ stored: [UInt8]) -> Bool { stored.starts(with: self.sealedMagic) }

    /// The id of the key `stored` (which is sealed) names.
    static func keyID(of stored: [UInt8]) throws(Failure) -> String {
        let start = self.sealedMagic.count
        guard stored.count > start, case let length = Int(stored[start]), length > 0,
            stored.count >= start + 1 + length + 12 + 16,
            let id = String(validating: stored[(start + 1)..<(start + 1 + length)], as: UTF8.self),
            DataKey.isValidID(id)
        else { throw .notAuthentic(keyID: nil) }
        return id
    }

    /// `secret` sealed with `key` for `accessKeyID`, under a fresh random nonce.
    static func seal(_ secret: String, with key: DataKey, accessKeyID: String) throws -> [UInt8] {
        let header = self.sealedMagic + [UInt8(key.id.utf8.count)] + Array(key.id.utf8)
        let box = try AES.GCM.seal(
            Array(secret.utf8), using: key.key, authenticating: self.associatedData(header, accessKeyID))
        // The default nonce is 12 bytes, so the combined form exists.
        return header + Array(box.combined!)
    }

    /// The secret sealed in `stored` for `accessKeyID`, opened with the key of `keys` it names.
    static func open(_ stored: [UInt8], keys: any KeyProvider, accessKeyID: String) throws -> String {
        let id = try self.keyID(of: stored)
        guard let key = try keys.key(id: id) else { throw Failure.unknownKey(id) }
        let headerLength = self.sealedMagic.count + 1 + id.utf8.count
        do {
            let box = try AES.GCM.SealedBox(combined: stored[headerLength...])
            let opened = try AES.GCM.open(
                box, using: key.key, authenticating: self.associatedData(stored[..<headerLength], accessKeyID))
            guard let secret = String(validating: opened, as: UTF8.self) else { throw Failure.notAuthentic(keyID: id) }
            return secret
        } catch {
            throw Failure.notAuthentic(keyID: id)
        }
    }

    private static func associatedData(_ header: some Collection<UInt8>, _ accessKeyID: String) -> [UInt8] {
        Array(header) + [0] + Array(accessKeyID.utf8)
    }
}

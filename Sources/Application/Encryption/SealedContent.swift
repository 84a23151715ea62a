import Crypto
import Domain

/// How a version's gzip bytes are sealed with AES-256-GCM:
///
///     "SHE" 0x01 | id length (1 byte) | key id | nonce (12) | ciphertext | tag (16)
///
/// The associated data is everything before the nonce, then the state's name, the store's key for
/// the state and the version's number, so the key id cannot be changed and a blob copied onto
/// another state or version does not open — not even onto a state of the same name that was
/// deleted and created again. S3 upload parts are sealed the same way for their upload and number
/// (``seal(part:with:uploadID:number:)``). Copies between stores (migrate-store, import) open and
/// seal again. Unsealed content is gzip, which begins with 0x1f 0x8b and so never with this magic.
enum SealedContent {
    /// The first bytes of every sealed blob.
    static let magic: [UInt8] = [0x53, 0x48, 0x45, 0x01]

    /// Why a sealed blob does not open.
    enum Failure: Error {
        /// It names a key the provider does not have.
        case unknownKey(String)
        /// The tag does not verify, or the framing is broken (`keyID` when it could be read).
        case notAuthentic(keyID: String?)
    }

    /// Whether `bytes` are sealed (rather than plain gzip).
    static func isSealed(_ bytes: [UInt8]) -> Bool { bytes.starts(with: self.magic) }

    /// The bytes that begin everything sealed with the key `id`.
    static func header(keyID id: String) -> [UInt8] {
        self.magic + [UInt8(id.utf8.count)] + Array(id.utf8)
    }

    /// `gzip` sealed with `key` for version `number` of `name`, keyed `stateID`, under a fresh
    /// random nonce.
    static func seal(_ gzip: [UInt8], with key: DataKey, name: StateName, stateID: Int64, number: Int64) throws
        -> [UInt8]
    {
        try self.seal(gzip, with: key, context: self.versionContext(name, stateID, number))
    }

    /// The bytes of part `number` of the S3 upload `uploadID` sealed with `key`, under a fresh
    /// random nonce: they open only as that part of that upload, never as a version.
    static func seal(part bytes: [UInt8], with key: DataKey, uploadID: String, number: Int) throws -> [UInt8] {
        try self.seal(bytes, with: key, context: self.partContext(uploadID, number))
    }

    private static func seal(_ bytes: [UInt8], with key: DataKey, context: [UInt8]) throws -> [UInt8] {
        let header = self.header(keyID: key.id)
        let box = try AES.GCM.seal(bytes, using: key.key, authenticating: header + context)
        // The default nonce is 12 bytes, so the combined form exists.
        return header + Array(box.combined!)
    }

    /// The key id `bytes` (which are sealed) name.
    static func keyID(of bytes: [UInt8]) throws(Failure) -> String {
        let start = self.magic.count
        guard bytes.count > start, case let length = Int(bytes[start]), length > 0,
            bytes.count >= start + 1 + length + 12 + 16,
            let id = String(validating: bytes[(start + 1)..<(start + 1 + length)], as: UTF8.self),
            DataKey.isValidID(id)
        else { throw .notAuthentic(keyID: nil) }
        return id
    }

    /// The gzip bytes sealed in `bytes` for version `number` of `name`, keyed `stateID`, opened with
    /// whichever key `keys` has under the id they name.
    static func open(_ bytes: [UInt8], keys: any KeyProvider, name: StateName, stateID: Int64, number: Int64) throws
        -> [UInt8]
    {
        try self.open(bytes, keys: keys, context: self.versionContext(name, stateID, number))
    }

    /// The bytes of part `number` of the S3 upload `uploadID` sealed in `bytes`.
    static func open(part bytes: [UInt8], keys: any KeyProvider, uploadID: String, number: Int) throws -> [UInt8] {
        try self.open(bytes, keys: keys, context: self.partContext(uploadID, number))
    }

    private static func open(_ bytes: [UInt8], keys: any KeyProvider, context: [UInt8]) throws -> [UInt8] {
        let id = try self.keyID(of: bytes)
        guard let key = try keys.key(id: id) else { throw Failure.unknownKey(id) }
        let headerLength = self.magic.count + 1 + id.utf8.count
        do {
            let box = try AES.GCM.SealedBox(combined: bytes[headerLength...])
            let opened = try AES.GCM.open(box, using: key.key, authenticating: bytes[..<headerLength] + context)
            return Array(opened)
        } catch {
            throw Failure.notAuthentic(keyID: id)
        }
    }

    /// What a version's associated data adds to the header: 0, the name, 0, the state's key and
    /// the version's number.
    private static func versionContext(_ name: StateName, _ stateID: Int64, _ number: Int64) -> [UInt8] {
        var data: [UInt8] = [0]
        data += name.rawValue.utf8
        data.append(0)
        withUnsafeBytes(of: stateID.bigEndian) { data += $0 }
        withUnsafeBytes(of: number.bigEndian) { data += $0 }
        return data
    }

    /// What an upload part's associated data adds to the header: 1 (never a version's 0), the
    /// upload ID, 0 and the part's number.
    private static func partContext(_ uploadID: String, _ number: Int) -> [UInt8] {
        var data: [UInt8] = [1]
        data += uploadID.utf8
        data.append(0)
        withUnsafeBytes(of: Int64(number).bigEndian) { data += $0 }
        return data
    }
}

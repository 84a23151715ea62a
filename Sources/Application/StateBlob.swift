import Crypto
import Domain
import Gzip

/// A state body ready to store: its size and digests, and the body gzip-compressed.
///
/// Every store keeps the same compressed bytes, so a client that accepts gzip is served them as
/// they are.
public struct StateBlob: Sendable {
    /// The size of the body as sent.
    public let size: Int64
    /// SHA-256 of the body as sent.
    public let sha256: [UInt8]
    /// MD5 of the body as sent.
    public let md5: [UInt8]
    /// One gzip member holding the body.
    public let gzip: [UInt8]

    /// Creates a blob from parts already computed (for stores reading their rows).
    public init(size: Int64, sha256: [UInt8], md5: [UInt8], gzip: [UInt8]) {
        self.size = size
        self.sha256 = sha256
        self.md5 = md5
        self.gzip = gzip
    }

    /// Digests and compresses `body`; pass `md5` when it is already known.
    public init(body: [UInt8], md5: [UInt8]? = nil, compressionLevel: Int32) throws(ApplicationError) {
        self.size = Int64(body.count)
        self.sha256 = StateBlob.sha256(body)
        self.md5 = md5 ?? StateBlob.md5(body)
        do {
            self.gzip = try Gzip.compress(body, level: compressionLevel)
        } catch {
            throw ApplicationError(.fault, "compressing the state failed: \(error)")
        }
    }

    /// SHA-256 of `bytes`.
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }

    /// MD5 of `bytes`.
    public static func md5(_ bytes: [UInt8]) -> [UInt8] { Array(Insecure.MD5.hash(data: bytes)) }
}

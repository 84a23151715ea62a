import Domain
import Gzip

/// Reading stored bytes back.
enum StoredBody {
    /// The body `gzip` holds, checked against `record`'s size and SHA-256.
    static func inflate(_ gzip: [UInt8], _ record: VersionRecord, of name: StateName) throws(ApplicationError)
        -> [UInt8]
    {
        let body: [UInt8]
        do {
            body = try Gzip.decompress(gzip, limit: Int(record.size), sizeHint: Int(record.size))
        } catch {
            throw ApplicationError(.fault, "version \(record.number) of \(name) is corrupt: \(error)")
        }
        guard Int64(body.count) == record.size, StateBlob.sha256(body) == record.sha256 else {
            throw ApplicationError(.fault, "version \(record.number) of \(name) does not match its checksum")
        }
        return body
    }
}

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

    /// The uncompressed body of version `record` of `state`; `.gone` once purged.
    static func content(_ transaction: any Transaction, _ state: StoredState, _ record: VersionRecord) throws
        -> [UInt8]
    {
        guard record.purge == nil,
            let gzip = try transaction.states.content(of: state.name, stateID: state.id, version: record.number)
        else {
            throw ApplicationError(.gone, "version \(record.number) of \(state.name) was purged")
        }
        return try StoredBody.inflate(gzip, record, of: state.name)
    }
}

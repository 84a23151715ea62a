import Domain

/// S3 multipart uploads and their parts, kept in the store so that every server behind a load
/// balancer sees the parts the others received.
public protocol UploadRepository {
    /// Records a new upload, with no parts yet.
    func insert(_ upload: StoredUpload) throws

    /// The upload `id`, locked for update (its parts change one at a time), or `nil`.
    func uploadForUpdate(id: String) throws -> StoredUpload?

    /// How many uploads `principal` has open, expired ones included until retention removes
    /// them.
    func uploadCount(principal: String) throws -> Int

    /// The parts of upload `id`, by number.
    func parts(uploadID id: String) throws -> [UploadPart]

    /// Stores `bytes` as `part` of upload `id`, replacing a part with its number.
    func storePart(_ part: UploadPart, bytes: [UInt8], uploadID id: String) throws

    /// The bytes of part `number` of upload `id`, or `nil`.
    func partBytes(uploadID id: String, number: Int) throws -> [UInt8]?

    /// Removes upload `id` and its parts; `false` when there was none.
    func deleteUpload(id: String) throws -> Bool

    /// Removes at most `limit` uploads started before `time`, with their parts; how many it
    /// removed.
    func deleteStarted(before time: Timestamp, limit: Int) throws -> Int
}
